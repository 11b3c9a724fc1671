/* A multithreaded MIPS64 test program for Cannon64: three threads made with clone add to
 * shared counters with 32- and 64-bit atomics (ll/sc, lld/scd), yield, and are joined with a
 * futex; main meanwhile maps memory, multiplies and divides, reads the clock and random bytes,
 * writes to stdout, sends a hint, and reads local data 1 through the preimage fds.
 * Exits 0 when every check holds, else the number of the failed check. */
typedef unsigned long u64;
typedef long i64;
typedef unsigned int u32;
typedef unsigned char u8;

static inline i64 sys(i64 n, i64 a, i64 b, i64 c) {
	register i64 v0 __asm__("$2") = n;
	register i64 a0 __asm__("$4") = a;
	register i64 a1 __asm__("$5") = b;
	register i64 a2 __asm__("$6") = c;
	register i64 a3 __asm__("$7");
	__asm__ volatile("syscall" : "+r"(v0), "=r"(a3) : "r"(a0), "r"(a1), "r"(a2) : "memory");
	return a3 ? -v0 : v0;
}

#define SYS_READ 5000
#define SYS_WRITE 5001
#define SYS_MMAP 5009
#define SYS_SCHED_YIELD 5023
#define SYS_FUTEX 5194
#define SYS_CLOCK_GETTIME 5222
#define SYS_GETRANDOM 5313
#define FUTEX_WAIT 128
#define FUTEX_WAKE 129

long spawn(long (*fn)(long), long arg, void *stack_top);

#define THREADS 3
#define ROUNDS 4000

static volatile u32 count32;
static volatile u64 count64;
static volatile u32 done;

static long worker(long id) {
	for (long i = 0; i < ROUNDS; i++) {
		__atomic_fetch_add(&count32, 1, __ATOMIC_SEQ_CST);
		__atomic_fetch_add(&count64, (u64)id << 32 | 1, __ATOMIC_SEQ_CST);
		if (i % 1000 == 999) sys(SYS_SCHED_YIELD, 0, 0, 0);
	}
	__atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
	sys(SYS_FUTEX, (i64)&done, FUTEX_WAKE, 1);
	return 0;
}

static void write_all(long fd, const void *p, long n) {
	const u8 *b = p;
	while (n > 0) {
		long w = sys(SYS_WRITE, fd, (i64)b, n);
		if (w <= 0) return;
		b += w;
		n -= w;
	}
}

static void read_all(long fd, void *p, long n) {
	u8 *b = p;
	while (n > 0) {
		long r = sys(SYS_READ, fd, (i64)b, n);
		if (r <= 0) return;
		b += r;
		n -= r;
	}
}

static u64 mix(u64 x) {
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185UL;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dUL;
	return x ^ (x >> 33);
}

int main(void) {
	u8 *stacks = (u8 *)sys(SYS_MMAP, 0, THREADS * 16384, 0);
	if ((i64)stacks < 0) return 1;
	for (long t = 0; t < THREADS; t++) {
		if (spawn(worker, t + 1, stacks + (t + 1) * 16384 - 64) <= 0) return 2;
	}
	/* Work on the main thread while the workers run. */
	u64 *heap = (u64 *)sys(SYS_MMAP, 0, 1 << 16, 0);
	u64 acc = 0;
	for (u64 i = 0; i < (1 << 13); i++) {
		heap[i] = mix(i);
		acc += heap[i] / (i | 1) + (heap[i] % 977) * (i64)(i - 4000);
	}
	u64 ts[2] = { 0, 0 };
	if (sys(SYS_CLOCK_GETTIME, 1, (i64)ts, 0) != 0 || ts[1] >= 1000000000UL) return 3;
	u64 rnd = 0;
	if (sys(SYS_GETRANDOM, (i64)&rnd, 8, 0) != 8 || rnd == 0) return 4;
	write_all(1, "cannon64 ok\n", 12);
	/* A hint, then local data 1 through the preimage fds. */
	static const u8 hint[] = { 0, 0, 0, 12, 'r', 'i', 'p', 'o', 's', 't', 'e', ' ', '0', 'x', '0', '1' };
	write_all(4, hint, sizeof hint);
	u8 ack;
	read_all(3, &ack, 1);
	/* The local key of ident 1: type byte 1, the ident in the last byte (big-endian words). */
	u64 key[4];
	key[0] = 1UL << 56;
	key[1] = 0;
	key[2] = 0;
	key[3] = 1;
	write_all(6, key, 32);
	u8 len[8];
	read_all(5, len, 8);
	u64 n = 0;
	for (int i = 0; i < 8; i++) n = n << 8 | len[i];
	if (n != 32) return 5;
	u8 local[32];
	read_all(5, local, 32);
	if (local[0] != 0x52 || local[31] != 0x45) return 6;
	/* Join the workers. */
	for (;;) {
		u32 d = __atomic_load_n(&done, __ATOMIC_SEQ_CST);
		if (d == THREADS) break;
		sys(SYS_FUTEX, (i64)&done, FUTEX_WAIT, d);
	}
	if (count32 != THREADS * ROUNDS) return 7;
	if (count64 != ((u64)(1 + 2 + 3) * ROUNDS << 32 | THREADS * ROUNDS)) return 8;
	if (acc == 0) return 9;
	return 0;
}
