/* wire.c - byte-level helpers of IPC Lab protocol version 1 for the compiled data plane:
 * big-endian loads and stores, the CRC-32 of requests (zlib's polynomial, as zlib.crc32),
 * encoding a 48-byte request, Python's repr() of bytes (for identical messages), and the CLOCK_MONOTONIC clock (Python's perf_counter_ns).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ipclab_native.h"

static uint32_t crc_table[256];
static int crc_ready;

static void crc_init(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
    __atomic_store_n(&crc_ready, 1, __ATOMIC_RELEASE);
}

uint32_t ipcl_crc32(const uint8_t *data, size_t length)
{
    if (!__atomic_load_n(&crc_ready, __ATOMIC_ACQUIRE))
        crc_init(); /* idempotent: two threads may both fill the same table */
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < length; i++)
        c = crc_table[(c ^ data[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

uint32_t ipcl_get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

uint64_t ipcl_get64(const uint8_t *p)
{
    return ((uint64_t)ipcl_get32(p) << 32) | ipcl_get32(p + 4);
}

void ipcl_put32(uint8_t *p, uint32_t value)
{
    p[0] = (uint8_t)(value >> 24);
    p[1] = (uint8_t)(value >> 16);
    p[2] = (uint8_t)(value >> 8);
    p[3] = (uint8_t)value;
}

void ipcl_put64(uint8_t *p, uint64_t value)
{
    ipcl_put32(p, (uint32_t)(value >> 32));
    ipcl_put32(p + 4, (uint32_t)value);
}

void ipcl_encode_request(uint8_t out[IPCL_REQUEST_SIZE], uint32_t pid, uint32_t channel, uint32_t request_id,
                         uint32_t count, int32_t lo, int32_t hi, int seeded, uint64_t seed)
{
    memcpy(out, IPCL_MAGIC, 4);
    out[4] = IPCL_VERSION;
    out[5] = IPCL_REQUEST;
    out[6] = 0;
    out[7] = IPCL_REQUEST_SIZE;
    ipcl_put32(out + 8, pid);
    ipcl_put32(out + 12, channel);
    ipcl_put32(out + 16, request_id);
    ipcl_put32(out + 20, seeded ? IPCL_REQUEST_FLAG_SEED : 0);
    ipcl_put32(out + 24, count);
    ipcl_put32(out + 28, (uint32_t)lo);
    ipcl_put32(out + 32, (uint32_t)hi);
    ipcl_put64(out + 36, seeded ? seed : 0);
    ipcl_put32(out + 44, ipcl_crc32(out, 44));
}

int64_t ipcl_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int32_t ipcl_abi_version(void)
{
    return IPCL_ABI_VERSION;
}

/* Python's repr() of a short bytes object (for the same messages as the Python engine). */
void ipcl_bytes_repr(const uint8_t *data, size_t length, char *out, size_t size)
{
    int has_single = memchr(data, '\'', length) != NULL, has_double = memchr(data, '"', length) != NULL;
    char quote = has_single && !has_double ? '"' : '\'';
    size_t at = 0;
    if (size < 8)
        return;
    out[at++] = 'b';
    out[at++] = quote;
    for (size_t i = 0; i < length && at + 6 < size; i++) {
        uint8_t c = data[i];
        if (c == (uint8_t)quote || c == '\\')
            at += (size_t)snprintf(out + at, size - at, "\\%c", c);
        else if (c == '\t')
            at += (size_t)snprintf(out + at, size - at, "\\t");
        else if (c == '\n')
            at += (size_t)snprintf(out + at, size - at, "\\n");
        else if (c == '\r')
            at += (size_t)snprintf(out + at, size - at, "\\r");
        else if (c < 0x20 || c >= 0x7f)
            at += (size_t)snprintf(out + at, size - at, "\\x%02x", c);
        else
            out[at++] = (char)c;
    }
    out[at++] = quote;
    out[at] = 0;
}

