/* A CPU-heavy test program: local data 3 is the iteration count (u64), local data 2 a
 * keccak256 key whose preimage it mixes in. Integer arithmetic, divisions, shifts, byte and
 * halfword memory, branches and calls; prints a checksum and exits 0 (1 if the preimage is
 * missing its bytes). */
#include "shim.h"

static u32 table[1024];

static __attribute__((noinline)) u32 mix(u32 h, u32 x) {
	h ^= x;
	h *= 0x01000193u;
	return (h << 13) | (h >> 19);
}

static void hex(u32 v, char *out) {
	for (int i = 0; i < 8; i++) {
		u32 d = (v >> (28 - 4 * i)) & 15;
		out[i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
	}
}

int main(void) {
	u8 raw[8];
	read_local(3, raw, 8);
	u32 iters = ((u32)raw[4] << 24) | ((u32)raw[5] << 16) | ((u32)raw[6] << 8) | raw[7];

	u8 key[32];
	read_local(2, key, 32);
	u32 len = preimage_open(key);
	u8 *blob = mmap_anon(len + 1);
	read_all(5, blob, len);
	if (len == 0)
		return 1;

	u16 *halves = mmap_anon(4096);
	u32 x = 0x9e3779b9u, h = 0x811c9dc5u;
	for (u32 i = 0; i < iters; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		u32 slot = (x >> 7) & 1023;
		table[slot] += x;
		h = mix(h, table[(slot * 7) & 1023] ^ blob[i % len]);
		i32 q = (i32)x / (i32)((i & 255) + 1);
		h += (u32)q % 1000003u;
		halves[i & 2047] = (u16)h;
		if ((i32)h < 0)
			h ^= halves[(i * 3) & 2047];
		else
			h += (u32)(signed char)blob[(i * 5) % len];
		h += (u32)__builtin_clz(x | 1);
	}

	char line[18] = "checksum ........\n";
	hex(h, line + 9);
	write_all(1, line, 18);
	return 0;
}
