/* clone with flags other than Go's: Cannon64 exits the VM with code 2 (a panic). */
static inline long sys(long n, long a, long b) {
	register long v0 __asm__("$2") = n;
	register long a0 __asm__("$4") = a;
	register long a1 __asm__("$5") = b;
	register long a3 __asm__("$7");
	__asm__ volatile("syscall" : "+r"(v0), "=r"(a3) : "r"(a0), "r"(a1) : "memory");
	return v0;
}

int main(void) {
	sys(5055, 0x11, 0);
	return 0;
}
