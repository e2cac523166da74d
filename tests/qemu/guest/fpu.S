/* fpu.S: read and fill the SSE registers, for the FPU isolation scenario. */

	.text
/* guest_fpu_read(rdi = 256 + 4 bytes): store xmm0..xmm15, then MXCSR. */
	.globl	guest_fpu_read
guest_fpu_read:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	movdqu	%xmm\n, 16 * \n(%rdi)
	.endr
	stmxcsr	256(%rdi)
	ret

/* guest_fpu_fill(rdi = 16 bytes): load that value into xmm0..xmm15. */
	.globl	guest_fpu_fill
guest_fpu_fill:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	movdqu	(%rdi), %xmm\n
	.endr
	ret
	.section .note.GNU-stack, "", @progbits
