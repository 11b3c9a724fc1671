# Entry of the MIPS64 test programs and their thread spawner (n64 ABI). cannon's PatchStack
# has set $sp; main's result goes to exit_group.
	.text
	.globl	__start
__start:
	daddiu	$sp, $sp, -64
	jal	main
	move	$a0, $v0
	li	$v0, 5205
	syscall

# long spawn(long (*fn)(long), long arg, void *stack_top): clone with the flags Go's runtime
# uses; the child calls fn(arg) on its own stack and exits with its result.
	.globl	spawn
spawn:
	move	$t0, $a0
	move	$t1, $a1
	lui	$a0, 0x5
	ori	$a0, $a0, 0x0f00
	move	$a1, $a2
	li	$v0, 5055
	syscall
	bnez	$v0, 1f
	move	$a0, $t1
	jalr	$t0
	move	$a0, $v0
	li	$v0, 5058
	syscall
1:	jr	$ra
