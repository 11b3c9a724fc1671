# Entry of the C test programs: a stack, main(), then exit_group(main's result).
	.set	noreorder
	.text
	.globl	__start
__start:
	lui	$sp, 0x7fff
	ori	$sp, $sp, 0xd000
	jal	main
	addiu	$sp, $sp, -32
	move	$a0, $v0
	addiu	$v0, $zero, 4246
	syscall
