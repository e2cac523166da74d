/* fpu_marker.h: values of the FPU isolation test, shared by the test Guest and the host program. */
#ifndef FPU_MARKER_H
#define FPU_MARKER_H

#define FPU_MARKER		0x4d61726b65724d4bULL	/* host process XMM */
#define FPU_MARKER_MXCSR	0x9fc0	/* default 0x1f80 + FTZ + DAZ */
#define FPU_GUEST_PATTERN	0x4775657374475354ULL	/* Guest XMM */

#endif /* FPU_MARKER_H */
