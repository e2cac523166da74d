/* lgcksum.c: POSIX cksum (CRC-32, then the length) of stdin, as the test
 * Guest computes it; busybox in the test initramfs has no cksum. */
#include <stdint.h>
#include <stdio.h>

/* Feed one byte into the CRC (polynomial 0x04c11db7, MSB first). */
static uint32_t
crc_byte(uint32_t crc, unsigned char c)
{
	int i;

	crc ^= (uint32_t)c << 24;
	for (i = 0; i < 8; i++)
		crc = crc & 0x80000000u ? (crc << 1) ^ 0x04c11db7u : crc << 1;
	return crc;
}

int
main(void)
{
	uint32_t crc = 0;
	uint64_t len = 0, n;
	int c;

	while ((c = getchar()) != EOF) {
		crc = crc_byte(crc, (unsigned char)c);
		len++;
	}
	for (n = len; n; n >>= 8)
		crc = crc_byte(crc, n & 0xff);
	printf("%u %llu\n", ~crc, (unsigned long long)len);
	return 0;
}
