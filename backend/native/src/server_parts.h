/* server_parts.h - what server.c shares with fifo_server.c (not part of the library's interface):
 * the state of one serving thread, a checked request, the reply writer and the request checks. */
#ifndef IPCLAB_SERVER_PARTS_H
#define IPCLAB_SERVER_PARTS_H

#include <stddef.h>
#include <stdint.h>

#include "ipclab_native.h"

#define SMALL_REPLY_VALUES 16384u

enum { BAD_MAGIC = 1, UNSUPPORTED_VERSION = 2, BAD_FRAME = 3, COUNT_TOO_LARGE = 4, BAD_RANGE = 5,
       BUSY_CODE = 6, TIMEOUT_CODE = 7 };

/* A request whose every field was checked (ipcl_check_request). */
typedef struct {
    uint32_t pid, channel, request_id, flags, count;
    int32_t lo, hi;
    uint64_t seed;
} request;

/* One serving thread: where it writes, its generator and its reply buffers. */
typedef struct {
    const ipcl_connection *c;
    char *message;
    uint32_t message_size;
    ipcl_rng rng;
    uint8_t *small; /* header + SMALL_REPLY_VALUES values + END */
    uint8_t *large; /* header + one full chunk, made on the first large reply */
    uint32_t server_pid;
    int receive_timeout_ms, send_timeout_ms; /* a socket's SO_RCVTIMEO / SO_SNDTIMEO now (-1: unknown) */
} server;

/* Write all of `data` to s->c->fd within timeout_ms: IPCL_OK, IPCL_TIMEOUT, IPCL_CANCELLED,
 * IPCL_PEER_CLOSED or IPCL_OS_ERROR (with its message in s->message). */
int ipcl_send_all(server *s, const uint8_t *data, size_t length, int timeout_ms, double timeout_s);

/* An ERROR frame for request_id (text cut at IPCL_MAX_ERROR_MESSAGE bytes); returns its size. */
size_t ipcl_encode_error(uint8_t frame[IPCL_REPLY_HEADER_SIZE + IPCL_MAX_ERROR_MESSAGE], uint32_t request_id,
                         int code, const char *text);

/* Check a whole 48-byte request in frames.decode_request's order; 0 or the error code, with its text. */
int ipcl_check_request(const uint8_t *f, uint32_t max_count, request *r, char *text, size_t size);

/* Generate and write the reply to a checked request on s->c->fd; count it in the totals and
 * report it (request / reply_sent events, within the lines-per-second budget). */
int ipcl_serve_parsed(server *s, const request *r, int64_t received_ns);

#endif
