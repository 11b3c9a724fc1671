# Every instruction class MIPS.sol 1.0.1 executes, with its edge cases, branches and delay
# slots, and every syscall it handles, including both preimage fds. Short: the differential
# test checks every step. Local data: ident 1 = 32 bytes, ident 2 = a keccak256 key whose
# preimage the program reads in full.
	.set	noreorder
	.set	noat
	.text
	.globl	__start
__start:
	lui	$sp, 0x7fff
	ori	$sp, $sp, 0xd000

	# R-type ALU
	lui	$t0, 0x8000
	ori	$t0, $t0, 1
	addiu	$t1, $zero, 3
	addu	$t2, $t0, $t1
	add	$t3, $t0, $t0
	subu	$t4, $t1, $t0
	sub	$t5, $t0, $t1
	and	$t6, $t0, $t1
	or	$t7, $t0, $t1
	xor	$t8, $t0, $t1
	nor	$t9, $t0, $t1
	slt	$s0, $t0, $t1
	slt	$s1, $t1, $t0
	sltu	$s2, $t0, $t1
	sltu	$s3, $t1, $t0
	addu	$zero, $t0, $t1

	# shifts, srav by 32 and more, rotr and sync encodings
	sll	$t2, $t0, 0
	sll	$t2, $t0, 31
	srl	$t3, $t0, 4
	srl	$t3, $t0, 31
	sra	$t4, $t0, 0
	sra	$t4, $t0, 4
	sra	$t4, $t0, 31
	sllv	$t5, $t0, $t1
	srlv	$t6, $t0, $t1
	srav	$t7, $t0, $t1
	addiu	$s4, $zero, 35
	sllv	$t5, $t0, $s4
	srlv	$t6, $t0, $s4
	srav	$t7, $t0, $s4
	addiu	$s4, $zero, 32
	srav	$t7, $t0, $s4
	addiu	$s4, $zero, 31
	srav	$t7, $t0, $s4
	.word	0x00285102		# rotr $t2, $t0, 4 (runs as srl)
	.word	0x0100500f		# sync with rs = $t0, rd = $t2
	sync

	# immediates
	addi	$t2, $t0, -1
	addiu	$t3, $t0, 0x7fff
	slti	$t4, $t0, -1
	slti	$t4, $t1, 4
	sltiu	$t5, $t1, -1
	sltiu	$t5, $t1, 2
	andi	$t6, $t0, 0xffff
	ori	$t7, $t0, 0x8000
	xori	$t8, $t0, 0xffff
	lui	$t9, 0xffff

	# SPECIAL2
	mul	$t2, $t0, $t1
	addiu	$s4, $zero, -7
	mul	$t3, $s4, $t1
	clz	$t4, $t1
	clz	$t4, $zero
	clo	$t5, $s4
	clo	$t5, $t1

	# HI/LO
	mult	$s4, $t1
	mfhi	$t2
	mflo	$t3
	multu	$s4, $t1
	mfhi	$t2
	mflo	$t3
	div	$zero, $s4, $t1
	mfhi	$t4
	mflo	$t5
	divu	$zero, $s4, $t1
	mfhi	$t4
	mflo	$t5
	lui	$s5, 0x8000
	addiu	$s6, $zero, -1
	div	$zero, $s5, $s6
	mfhi	$t4
	mflo	$t5
	mthi	$t0
	mtlo	$t1
	mfhi	$t6
	mflo	$t7
	.word	0x02896018		# mult $s4, $t1 with rd = $t4: zeroes $t4

	# conditional moves
	addiu	$t2, $zero, 5
	addiu	$t3, $zero, 6
	movz	$t2, $t0, $zero
	movz	$t3, $t0, $t1
	movn	$t4, $t0, $t1
	movn	$t5, $t0, $zero

	# loads of every width at every alignment
	la	$s0, buf
	lb	$t0, 0($s0)
	lb	$t0, 1($s0)
	lb	$t0, 2($s0)
	lb	$t0, 3($s0)
	lbu	$t0, 0($s0)
	lbu	$t0, 1($s0)
	lbu	$t0, 2($s0)
	lbu	$t0, 3($s0)
	lh	$t1, 0($s0)
	lh	$t1, 2($s0)
	.word	0x86090001		# lh $t1, 1($s0): bit 0 ignored
	lhu	$t1, 0($s0)
	lhu	$t1, 2($s0)
	lw	$t2, 0($s0)
	lw	$t2, 4($s0)
	.word	0x8e0a0006		# lw $t2, 6($s0): low bits ignored
	addiu	$s1, $s0, 12
	lw	$t2, -4($s1)
	lui	$t1, 0x1122
	ori	$t1, $t1, 0x3344
	move	$t2, $t1
	lwl	$t2, 0($s0)
	move	$t2, $t1
	lwl	$t2, 1($s0)
	move	$t2, $t1
	lwl	$t2, 2($s0)
	move	$t2, $t1
	lwl	$t2, 3($s0)
	move	$t3, $t1
	lwr	$t3, 0($s0)
	move	$t3, $t1
	lwr	$t3, 1($s0)
	move	$t3, $t1
	lwr	$t3, 2($s0)
	move	$t3, $t1
	lwr	$t3, 3($s0)
	ulw	$t4, 1($s0)

	# stores of every width at every alignment
	sw	$t1, 16($s0)
	sw	$t1, 20($s0)
	sw	$t1, 24($s0)
	sw	$t1, 28($s0)
	lui	$t5, 0xa1b2
	ori	$t5, $t5, 0xc3d4
	sb	$t5, 16($s0)
	sb	$t5, 17($s0)
	sb	$t5, 18($s0)
	sb	$t5, 19($s0)
	sh	$t5, 20($s0)
	sh	$t5, 26($s0)
	.word	0xa6150019		# sh $s5, 25($s0): bit 0 ignored
	swl	$t5, 28($s0)
	swl	$t5, 33($s0)
	swl	$t5, 38($s0)
	swl	$t5, 43($s0)
	swr	$t5, 44($s0)
	swr	$t5, 49($s0)
	swr	$t5, 54($s0)
	swr	$t5, 59($s0)
	usw	$t5, 61($s0)
	lw	$t6, 16($s0)
	ll	$t7, 16($s0)
	sc	$t1, 16($s0)
	sc	$zero, 20($s0)
	lw	$t7, 16($s0)

	# branches, taken and not, with work in their delay slots
	addiu	$t0, $zero, 1
	addiu	$t1, $zero, 1
	addiu	$s4, $zero, -7
	beq	$t0, $t1, 1f
	addiu	$t2, $zero, 11
	addiu	$t2, $zero, 99
1:	bne	$t0, $t1, 2f
	addiu	$t3, $zero, 12
	addiu	$t3, $t3, 1
2:	bne	$t0, $zero, 3f
	addiu	$t3, $t3, 1
	addiu	$t3, $zero, 99
3:	beq	$t0, $zero, 4f
	nop
	addiu	$t3, $t3, 1
4:	blez	$zero, 5f
	addiu	$t4, $zero, 1
	addiu	$t4, $zero, 99
5:	blez	$t0, 6f
	nop
	blez	$s4, 6f
	nop
	addiu	$t4, $zero, 99
6:	bgtz	$t0, 7f
	nop
	addiu	$t4, $zero, 99
7:	bgtz	$zero, 8f
	nop
	bgtz	$s4, 8f
	nop
8:	bltz	$s4, 9f
	addiu	$t5, $zero, 2
	addiu	$t5, $zero, 99
9:	bltz	$t0, 10f
	nop
	bltz	$zero, 10f
	nop
10:	bgez	$zero, 11f
	nop
	addiu	$t5, $zero, 99
11:	bgez	$s4, 12f
	nop
	bgez	$t0, 12f
	nop
	addiu	$t5, $zero, 99
12:	bgezal	$zero, 13f		# MIPS.sol 1.0.1: neither branches nor links
	nop
	addiu	$t6, $zero, 3
13:	bltzal	$s4, 14f
	nop
	addiu	$t6, $t6, 1
14:	addiu	$t7, $zero, 5
15:	addiu	$t7, $t7, -1
	bne	$t7, $zero, 15b
	addiu	$t8, $t8, 3

	# jumps
	jal	func1
	addiu	$t9, $zero, 1
	j	16f
	addiu	$t9, $t9, 1
	addiu	$t9, $zero, 99
func1:	jr	$ra
	addiu	$t9, $t9, 10
16:	la	$t9, func2
	jalr	$t9
	nop
	la	$t9, func3
	jalr	$s7, $t9
	nop
	b	17f
	nop
func2:	jr	$ra
	nop
func3:	jr	$s7
	addiu	$s6, $zero, 1

17:	# mmap, brk, clone and memory far from the program
	move	$a0, $zero
	addiu	$a1, $zero, 5000
	addiu	$v0, $zero, 4090
	syscall
	move	$s1, $v0
	lui	$t1, 0xcafe
	sw	$t1, 0($s1)
	sw	$t1, 4096($s1)
	lw	$t2, 4096($s1)
	move	$a0, $zero
	addiu	$a1, $zero, 4096
	addiu	$v0, $zero, 4090
	syscall
	lui	$a0, 0x1234
	addiu	$a1, $zero, 1
	addiu	$v0, $zero, 4090
	syscall
	addiu	$v0, $zero, 4045
	syscall
	sw	$t1, 0($v0)
	sw	$t1, -4($sp)
	lui	$t3, 0xffff
	sw	$t1, -4($t3)
	addiu	$v0, $zero, 4120
	syscall

	# fcntl(fd, F_GETFL) for fds 0..7, then F_GETFD
	move	$s2, $zero
18:	move	$a0, $s2
	addiu	$a1, $zero, 3
	addiu	$v0, $zero, 4055
	syscall
	addiu	$s2, $s2, 1
	slti	$t0, $s2, 8
	bne	$t0, $zero, 18b
	nop
	move	$a0, $zero
	addiu	$a1, $zero, 1
	addiu	$v0, $zero, 4055
	syscall

	# reads and writes on the plain fds, a hint and its ack, an unknown syscall
	la	$s3, pbuf
	move	$a0, $zero
	move	$a1, $s3
	addiu	$a2, $zero, 4
	addiu	$v0, $zero, 4003
	syscall
	addiu	$a0, $zero, 3
	addiu	$v0, $zero, 4003
	syscall
	addiu	$a0, $zero, 9
	addiu	$v0, $zero, 4003
	syscall
	la	$a1, msg
	addiu	$a0, $zero, 1
	addiu	$a2, $zero, 16
	addiu	$v0, $zero, 4004
	syscall
	addiu	$a0, $zero, 2
	addiu	$a2, $zero, 5
	addiu	$v0, $zero, 4004
	syscall
	addiu	$a0, $zero, 9
	addiu	$v0, $zero, 4004
	syscall
	la	$a1, hint
	addiu	$a0, $zero, 4
	addiu	$a2, $zero, 16
	addiu	$v0, $zero, 4004
	syscall
	addiu	$a0, $zero, 3
	move	$a1, $s3
	addiu	$a2, $zero, 1
	addiu	$v0, $zero, 4003
	syscall
	addiu	$v0, $zero, 4020
	syscall

	# local key 1: written 3 bytes then from an unaligned address on, read into an
	# unaligned buffer, all 8 + 32 bytes
	la	$a0, lkey1
	jal	setkey
	nop
	addiu	$a0, $s3, 1
	addiu	$a1, $zero, 40
	jal	readall
	nop
	addiu	$a0, $zero, 5
	move	$a1, $s3
	move	$a2, $zero
	addiu	$v0, $zero, 4003
	syscall

	# local key 2 holds a keccak256 key: read it, then read that preimage in full
	la	$a0, lkey2
	jal	setkey
	nop
	move	$a0, $s3
	addiu	$a1, $zero, 40
	jal	readall
	nop
	addiu	$a0, $s3, 8
	jal	setkey
	nop
	addiu	$a0, $s3, 64
	addiu	$a1, $zero, 8
	jal	readall
	nop
	lw	$a1, 68($s3)
	addiu	$a0, $s3, 72
	jal	readall
	addiu	$a1, $a1, 0

	move	$a0, $zero
	addiu	$v0, $zero, 4246
	syscall
	addiu	$t0, $zero, 99		# never runs

# setkey(a0 = 32-byte key): writes it to fd 6, 3 bytes first, then as much as the VM takes.
setkey:	move	$t8, $a0
	addiu	$t9, $zero, 32
	addiu	$a2, $zero, 3
19:	addiu	$a0, $zero, 6
	move	$a1, $t8
	addiu	$v0, $zero, 4004
	syscall
	addu	$t8, $t8, $v0
	subu	$t9, $t9, $v0
	bne	$t9, $zero, 19b
	move	$a2, $t9
	jr	$ra
	nop

# readall(a0 = destination, a1 = count): reads exactly count bytes from fd 5.
readall:	move	$t8, $a0
	move	$t9, $a1
20:	addiu	$a0, $zero, 5
	move	$a1, $t8
	move	$a2, $t9
	addiu	$v0, $zero, 4003
	syscall
	addu	$t8, $t8, $v0
	subu	$t9, $t9, $v0
	bne	$t9, $zero, 20b
	nop
	jr	$ra
	nop

	.data
	.align	4
buf:	.word	0x8192a3b4, 0x11223344, 0xdeadbeef, 0x0badf00d
	.space	64
lkey1:	.word	0x01000000, 0, 0, 0, 0, 0, 0, 1
lkey2:	.word	0x01000000, 0, 0, 0, 0, 0, 0, 2
hint:	.word	12
	.ascii	"riposte-test"
msg:	.ascii	"hello from mips\n"
	.align	4
pbuf:	.space	256
