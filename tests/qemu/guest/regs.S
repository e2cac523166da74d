/* regs.S: hold known values in every register while interrupts come. */

/* Pattern for register number \n: alternately positive and negative. */
#define PAT(n)	(0x01010101 * (n) - ((n) & 1) * 0x40000000)

	.text
	.globl	regs_hold
/*
 * uint64_t regs_hold(volatile uint64_t *counter, uint64_t target):
 * load a pattern into every general register but rsp, rdi and rsi, spin
 * until *counter >= target, and return how many registers (rdi and rsi
 * included) no longer hold what they held.
 */
regs_hold:
	.irp	reg, rbx, rbp, r12, r13, r14, r15
	pushq	%\reg
	.endr
	pushq	$0				/* the count of changed registers */
	movq	%rdi, %r8			/* keep copies to check rdi, rsi */
	movq	%rsi, %r9
	n = 1
	.irp	reg, rax, rbx, rcx, rdx, rbp, r10, r11, r12, r13, r14, r15
	movq	$PAT(n), %\reg
	n = n + 1
	.endr
1:	cmpq	%rsi, (%rdi)
	jb	1b
	n = 1
	.irp	reg, rax, rbx, rcx, rdx, rbp, r10, r11, r12, r13, r14, r15
	cmpq	$PAT(n), %\reg
	je	2f
	incq	(%rsp)
2:	n = n + 1
	.endr
	cmpq	%rdi, %r8
	je	3f
	incq	(%rsp)
3:	cmpq	%rsi, %r9
	je	4f
	incq	(%rsp)
4:	popq	%rax
	.irp	reg, r15, r14, r13, r12, rbp, rbx
	popq	%\reg
	.endr
	ret
	.section .note.GNU-stack, "", @progbits
