/* client.c - the client half of IPC Lab's compiled data plane: a batch of exchanges on one
 * channel per call, with the interpreter lock released (ctypes drops it around foreign calls).
 *
 * For each exchange: encode and send the 48-byte request (CRC-32 included), read the reply
 * frames through a 64 KiB buffer (a chunk's payload straight into the caller's values or a
 * scratch buffer), check every frame exactly as backend/protocol/engine.py does (magic, version,
 * type, request id, counts, every length checked before it is used), take CLOCK_MONOTONIC
 * timestamps around the system calls (request sent, first reply byte, last reply byte), keep the
 * server's times from the END frame, and fold the values into the caller's histogram.
 *
 * Two ways to wait, as the Python channels do: sockets are blocking with kernel timeouts
 * (SO_RCVTIMEO/SO_SNDTIMEO, set by the caller) and are woken by shutdown() on cancellation;
 * FIFOs are non-blocking and wait in poll() on the reply FIFO, the request FIFO (POLLERR: the
 * server is gone; after the first WATCH_AFTER_MS of a wait, see wait_ready) and the channel's
 * cancellation descriptor.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipclab_native.h"

#define BUFFER_SIZE 65536

struct ipcl_client {
    uint8_t buffer[BUFFER_SIZE];
    size_t start;
    size_t end;
    int server_gone;  /* FIFO: the request FIFO reported POLLERR; reads that would block are EOF */
    int32_t *scratch; /* one chunk's values when the caller keeps none */
};

typedef struct {
    ipcl_client *client;
    const ipcl_batch *batch;
    ipcl_outcome *outcome;
    int64_t first_byte_ns;
    uint64_t bytes_read;
    int just_sent; /* a request went out and nothing was read since: a reply FIFO waits in poll() first */
} context;

static int fail(context *x, int status, const char *format, ...) __attribute__((format(printf, 3, 4)));

static int fail(context *x, int status, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    int length = vsnprintf(x->outcome->message, sizeof x->outcome->message, format, arguments);
    va_end(arguments);
    if (length < 0)
        length = 0;
    if ((size_t)length >= sizeof x->outcome->message)
        length = (int)sizeof x->outcome->message - 1;
    x->outcome->message_length = (uint32_t)length;
    x->outcome->status = status;
    return status;
}

/* A signal interrupted a system call: end the call if the caller wants its handler to run. */
static int interrupted(const context *x)
{
    return x->batch->interruptible != 0;
}

static double timeout_seconds(const context *x)
{
    return x->batch->timeout_ms / 1000.0;
}

/* Poll mode: wait until `fd` is ready for `events`, the server is gone, or cancellation.
 *
 * The request FIFO (watch_fd) is one pipe shared by every client of the server: polling it adds
 * this thread to that pipe's wait queue and takes it off again, on every wait of every client,
 * and with dozens of clients in one process that costs more than the exchange. So a wait first
 * polls only the channel's own descriptors, for up to WATCH_AFTER_MS, and only a longer wait
 * watches the request FIFO too: a server that dies is still noticed, WATCH_AFTER_MS late at most. */
enum { WATCH_AFTER_MS = 50 };

static int wait_ready(context *x, int fd, short events, int writing)
{
    const ipcl_batch *b = x->batch;
    int64_t started = ipcl_now_ns();
    int64_t deadline = b->timeout_ms < 0 ? -1 : started + (int64_t)b->timeout_ms * 1000000;
    int64_t watch_from = started + (int64_t)WATCH_AFTER_MS * 1000000;
    for (;;) {
        struct pollfd set[4];
        nfds_t count = 0;
        set[count++] = (struct pollfd){ .fd = fd, .events = events };
        int watch = -1, cancel = -1, signalled = -1;
        int64_t now = ipcl_now_ns();
        int watching = !writing && b->watch_fd >= 0 && now >= watch_from;
        if (watching) {
            watch = (int)count;
            set[count++] = (struct pollfd){ .fd = b->watch_fd, .events = 0 };
        }
        if (b->cancel_fd >= 0) {
            cancel = (int)count;
            set[count++] = (struct pollfd){ .fd = b->cancel_fd, .events = POLLIN };
        }
        if (b->interruptible && b->signal_fd >= 0) {
            signalled = (int)count;
            set[count++] = (struct pollfd){ .fd = b->signal_fd, .events = POLLIN };
        }
        int wait_ms = -1;
        if (deadline >= 0) {
            int64_t remaining = deadline - now;
            if (remaining <= 0)
                return writing ? fail(x, IPCL_TIMEOUT, b->use_poll ? "timed out waiting to write"
                                                                  : "the peer accepted no data for %g s",
                                      timeout_seconds(x))
                               : fail(x, IPCL_TIMEOUT, b->use_poll ? "no reply for %g s" : "no data for %g s",
                                      timeout_seconds(x));
            wait_ms = (int)((remaining + 999999) / 1000000);
        }
        if (!writing && b->watch_fd >= 0 && !watching) {
            int until_watch = (int)((watch_from - now + 999999) / 1000000);
            if (wait_ms < 0 || until_watch < wait_ms)
                wait_ms = until_watch;
        }
        int ready = poll(set, count, wait_ms);
        if (ready < 0) {
            if (errno == EINTR && !interrupted(x))
                continue;
            if (errno == EINTR)
                return fail(x, IPCL_INTERRUPTED, "interrupted by a signal");
            x->outcome->os_errno = errno;
            return fail(x, IPCL_OS_ERROR, "poll failed: %s", strerror(errno));
        }
        if (ready == 0)
            continue; /* the deadline check above reports it */
        if (cancel >= 0 && set[cancel].revents)
            return writing ? fail(x, IPCL_CANCELLED, "cancelled while waiting to write")
                           : fail(x, IPCL_CANCELLED, "cancelled while waiting for the reply");
        if (signalled >= 0 && set[signalled].revents)
            return fail(x, IPCL_INTERRUPTED, "interrupted by a signal");
        if (watch >= 0 && set[watch].revents) {
            x->client->server_gone = 1;
            return IPCL_OK;
        }
        if (set[0].revents)
            return IPCL_OK;
    }
}

/* Read at least one byte (or 0 at end of stream) into dst. */
static int raw_read(context *x, uint8_t *dst, size_t length, size_t *got)
{
    const ipcl_batch *b = x->batch;
    if (!b->use_poll && b->interruptible && b->signal_fd >= 0) {
        int status = wait_ready(x, b->read_fd, POLLIN, 0); /* a blocking socket: wait where a signal is seen */
        if (status)
            return status;
    }
    if (b->use_poll && x->just_sent && !x->client->server_gone) {
        /* The reply cannot be there yet (the server has just been woken): wait first, rather than
         * read, find nothing, wait and read again. */
        x->just_sent = 0;
        int status = wait_ready(x, b->read_fd, POLLIN, 0);
        if (status)
            return status;
    }
    for (;;) {
        ssize_t n = read(b->read_fd, dst, length);
        if (n >= 0) {
            *got = (size_t)n;
            if (n > 0) {
                if (!x->first_byte_ns)
                    x->first_byte_ns = ipcl_now_ns();
                x->bytes_read += (uint64_t)n;
            }
            return IPCL_OK;
        }
        if (errno == EINTR && !interrupted(x))
            continue;
        if (errno == EINTR)
            return fail(x, IPCL_INTERRUPTED, "interrupted by a signal");
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!b->use_poll)
                return fail(x, IPCL_TIMEOUT, "no data for %g s", timeout_seconds(x));
            if (x->client->server_gone) {
                *got = 0;
                return IPCL_OK;
            }
            int status = wait_ready(x, b->read_fd, POLLIN, 0);
            if (status)
                return status;
            continue;
        }
        if (errno == ECONNRESET || errno == ECONNABORTED)
            return fail(x, IPCL_PEER_CLOSED, "connection reset by peer: [Errno %d] %s", errno, strerror(errno));
        x->outcome->os_errno = errno;
        return fail(x, IPCL_OS_ERROR, "read failed: %s", strerror(errno));
    }
}

static int write_all(context *x, const uint8_t *data, size_t length)
{
    const ipcl_batch *b = x->batch;
    while (length) {
        if (!b->use_poll && b->interruptible && b->signal_fd >= 0) {
            int status = wait_ready(x, b->write_fd, POLLOUT, 1);
            if (status)
                return status;
        }
        ssize_t n = b->use_poll ? write(b->write_fd, data, length) : send(b->write_fd, data, length, MSG_NOSIGNAL);
        if (n >= 0) {
            data += n;
            length -= (size_t)n;
            continue;
        }
        if (errno == EINTR && !interrupted(x))
            continue;
        if (errno == EINTR)
            return fail(x, IPCL_INTERRUPTED, "interrupted by a signal");
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!b->use_poll)
                return fail(x, IPCL_TIMEOUT, "the peer accepted no data for %g s", timeout_seconds(x));
            int status = wait_ready(x, b->write_fd, POLLOUT, 1);
            if (status)
                return status;
            continue;
        }
        if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN) {
            if (b->use_poll)
                return fail(x, IPCL_PEER_CLOSED, "the server no longer reads its request FIFO");
            return fail(x, IPCL_PEER_CLOSED, "peer closed the connection: [Errno %d] %s", errno, strerror(errno));
        }
        x->outcome->os_errno = errno;
        return fail(x, IPCL_OS_ERROR, "write failed: %s", strerror(errno));
    }
    return IPCL_OK;
}

/* Buffer more reply bytes. */
static int fill(context *x)
{
    ipcl_client *c = x->client;
    if (c->start == c->end) {
        c->start = c->end = 0;
    } else if (c->end == BUFFER_SIZE) {
        memmove(c->buffer, c->buffer + c->start, c->end - c->start);
        c->end -= c->start;
        c->start = 0;
    }
    size_t got;
    int status = raw_read(x, c->buffer + c->end, BUFFER_SIZE - c->end, &got);
    if (status)
        return status;
    if (got == 0)
        return fail(x, IPCL_VANISHED, "the server closed the channel before the reply was complete");
    c->end += got;
    return IPCL_OK;
}

/* The next `size` (<= BUFFER_SIZE) bytes; the pointer is valid until the next read. */
static int read_exact(context *x, size_t size, const uint8_t **out)
{
    ipcl_client *c = x->client;
    while (c->end - c->start < size) {
        int status = fill(x);
        if (status)
            return status;
    }
    *out = c->buffer + c->start;
    c->start += size;
    return IPCL_OK;
}

/* Fill dst exactly: buffered bytes first, then straight from the descriptor. */
static int read_into(context *x, uint8_t *dst, size_t size)
{
    ipcl_client *c = x->client;
    size_t buffered = c->end - c->start;
    if (buffered > size)
        buffered = size;
    memcpy(dst, c->buffer + c->start, buffered);
    c->start += buffered;
    size_t done = buffered;
    while (done < size) {
        size_t got;
        int status = raw_read(x, dst + done, size - done, &got);
        if (status)
            return status;
        if (got == 0)
            return fail(x, IPCL_VANISHED, "the server closed the channel in the middle of a chunk");
        done += got;
    }
    return IPCL_OK;
}

/* Counting into few bins (the usual 1..10): four sets of counters, so that consecutive values in
 * the same bin do not wait for each other's increment, with a last counter for values outside. */
enum { FEW_BINS = 256 };

static void take_values_few_bins(context *x, int32_t *values, uint32_t count, uint32_t limit)
{
    const ipcl_batch *b = x->batch;
    uint32_t counters[4][FEW_BINS + 1];
    memset(counters, 0, sizeof counters);
    /* The offset in 32-bit arithmetic: a value below lo wraps to at least 2^31 - lo, which is
     * never below limit (<= hi - lo + 1), so the test is the same as in 64 bits. */
    uint32_t lo = (uint32_t)b->lo, i = 0;
    for (; i + 4 <= count; i += 4) {
        for (int k = 0; k < 4; k++) {
            uint32_t raw;
            memcpy(&raw, &values[i + k], 4);
            uint32_t value = be32toh(raw), offset = value - lo;
            values[i + k] = (int32_t)value;
            counters[k][offset < limit ? offset : limit]++;
        }
    }
    for (; i < count; i++) {
        uint32_t raw;
        memcpy(&raw, &values[i], 4);
        uint32_t value = be32toh(raw), offset = value - lo;
        values[i] = (int32_t)value;
        counters[0][offset < limit ? offset : limit]++;
    }
    for (uint32_t v = 0; v < limit; v++)
        b->histogram[v] += (int64_t)counters[0][v] + counters[1][v] + counters[2][v] + counters[3][v];
    x->outcome->out_of_range += (int64_t)counters[0][limit] + counters[1][limit] + counters[2][limit] +
                                counters[3][limit];
}

/* Big-endian values to native order, in place; count them into the histogram: a value counts in
 * bin (value - lo) / hist_width if it lies in [lo, hi] and that bin exists, else as out of range. */
static void take_values(context *x, int32_t *values, uint32_t count)
{
    const ipcl_batch *b = x->batch;
    if (b->histogram == NULL) {
        for (uint32_t i = 0; i < count; i++) {
            uint32_t raw;
            memcpy(&raw, &values[i], 4);
            values[i] = (int32_t)be32toh(raw);
        }
        return;
    }
    uint64_t span = (uint64_t)((int64_t)b->hi - (int64_t)b->lo + 1), width = (uint64_t)b->hist_width;
    /* Offsets below `limit` (<= span <= 2^32) are the ones inside [lo, hi] with an existing bin. */
    uint64_t limit = (uint64_t)b->hist_bins <= (span - 1) / width ? (uint64_t)b->hist_bins * width : span;
    if (width == 1 && limit <= FEW_BINS) {
        take_values_few_bins(x, values, count, (uint32_t)limit);
        return;
    }
    /* offset / width by a multiplication (exact for 32-bit offsets: Lemire, Kaser and Kurz 2019). */
    uint64_t reciprocal = width >= 2 && width <= UINT32_MAX ? UINT64_MAX / width + 1 : 0;
    int64_t outside = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t raw;
        memcpy(&raw, &values[i], 4);
        int32_t value = (int32_t)be32toh(raw);
        values[i] = value;
        uint64_t offset = (uint64_t)((int64_t)value - b->lo);
        if (offset >= limit) {
            outside++;
            continue;
        }
        uint64_t bin = width == 1 ? offset : width > UINT32_MAX ? 0
                     : (uint64_t)(((unsigned __int128)reciprocal * offset) >> 64);
        b->histogram[bin]++;
    }
    x->outcome->out_of_range += outside;
}

static int mismatch_header(context *x, const uint8_t *h)
{
    if (memcmp(h, IPCL_MAGIC, 4) != 0) {
        char shown[64];
        ipcl_bytes_repr(h, 4, shown, sizeof shown);
        return fail(x, IPCL_MISMATCH, "bad reply frame: bad magic %s, expected b'IPCL'", shown);
    }
    return fail(x, IPCL_MISMATCH, "bad reply frame: protocol version %u is not supported (this is %d)", h[4],
                IPCL_VERSION);
}

static int exchange(context *x, uint32_t request_id, uint32_t count, uint64_t seed, int32_t *destination,
                    ipcl_record *record, int32_t last_values[IPCL_LAST_VALUES])
{
    ipcl_client *c = x->client;
    const ipcl_batch *b = x->batch;
    if (c->start != c->end)
        return fail(x, IPCL_MISMATCH, "%zu unexpected bytes after the previous reply", c->end - c->start);
    c->start = c->end = 0;
    x->first_byte_ns = 0;
    x->bytes_read = 0;
    uint8_t request[IPCL_REQUEST_SIZE];
    ipcl_encode_request(request, b->pid, b->channel, request_id, count, b->lo, b->hi, b->seeded != 0, seed);
    int64_t send_ns = ipcl_now_ns();
    int status = write_all(x, request, sizeof request);
    if (status)
        return status;
    x->just_sent = 1;
    uint32_t received = 0;
    for (;;) {
        const uint8_t *h;
        if ((status = read_exact(x, IPCL_REPLY_HEADER_SIZE, &h)))
            return status;
        if (memcmp(h, IPCL_MAGIC, 4) != 0 || h[4] != IPCL_VERSION)
            return mismatch_header(x, h);
        uint8_t type = h[5];
        uint32_t frame_id = ipcl_get32(h + 8), word = ipcl_get32(h + 12);
        if (type == IPCL_CHUNK) {
            if (word < 1 || word > IPCL_MAX_CHUNK_VALUES)
                return fail(x, IPCL_MISMATCH, "bad reply frame: chunk of %u values (limit %u)", word,
                            IPCL_MAX_CHUNK_VALUES);
        } else if (type == IPCL_ERROR) {
            uint32_t length = word & 0xFFFF, code = word >> 16;
            if (length > IPCL_MAX_ERROR_MESSAGE)
                return fail(x, IPCL_MISMATCH, "bad reply frame: error message of %u bytes", length);
            const uint8_t *text;
            if ((status = read_exact(x, length, &text)))
                return status;
            memcpy(x->outcome->message, text, length);
            x->outcome->message[length] = 0;
            x->outcome->message_length = length;
            x->outcome->server_code = (int32_t)code;
            x->outcome->status = IPCL_SERVER_ERROR;
            return IPCL_SERVER_ERROR;
        } else if (type != IPCL_END) {
            return fail(x, IPCL_MISMATCH, "bad reply frame: unexpected reply frame type %u", type);
        }
        if (frame_id != request_id)
            return fail(x, IPCL_MISMATCH, "reply for request %u, expected %u", frame_id, request_id);
        if (type == IPCL_CHUNK) {
            if ((uint64_t)received + word > count)
                return fail(x, IPCL_MISMATCH, "server sent more than the %u values requested", count);
            int32_t *target = destination ? destination + received : c->scratch;
            if ((status = read_into(x, (uint8_t *)target, (size_t)word * 4)))
                return status;
            take_values(x, target, word);
            for (uint32_t i = 0; received + i < IPCL_LAST_VALUES && i < word; i++)
                last_values[received + i] = target[i];
            received += word;
            continue;
        }
        uint32_t total = word;
        const uint8_t *rest;
        if ((status = read_exact(x, IPCL_END_SIZE - IPCL_REPLY_HEADER_SIZE, &rest)))
            return status;
        int64_t last_ns = ipcl_now_ns();
        if (total != count || received != count)
            return fail(x, IPCL_MISMATCH, "reply ended after %u values (END says %u), expected %u", received, total,
                        count);
        record->request_id = request_id;
        record->count = count;
        record->send_ns = send_ns;
        record->first_byte_ns = x->first_byte_ns ? x->first_byte_ns : last_ns;
        record->last_byte_ns = last_ns;
        record->server_pid = ipcl_get32(rest);
        record->reserved = 0;
        record->server_generation_ns = (int64_t)ipcl_get64(rest + 8);
        record->server_service_ns = (int64_t)ipcl_get64(rest + 16);
        record->bytes_received = x->bytes_read;
        return IPCL_OK;
    }
}

ipcl_client *ipcl_client_new(void)
{
    ipcl_client *client = calloc(1, sizeof *client);
    if (client == NULL)
        return NULL;
    client->scratch = malloc((size_t)IPCL_MAX_CHUNK_VALUES * 4);
    if (client->scratch == NULL) {
        free(client);
        return NULL;
    }
    return client;
}

void ipcl_client_free(ipcl_client *client)
{
    if (client != NULL) {
        free(client->scratch);
        free(client);
    }
}

int32_t ipcl_client_batch(ipcl_client *client, const ipcl_batch *batch, const uint32_t *counts,
                          const uint64_t *seeds, uint32_t n, ipcl_record *records, ipcl_outcome *outcome)
{
    context x = { .client = client, .batch = batch, .outcome = outcome };
    memset(outcome, 0, offsetof(ipcl_outcome, message));
    outcome->message[0] = 0;
    outcome->next_request_id = batch->first_request_id;
    if (batch->lo > batch->hi)
        return fail(&x, IPCL_BAD_ARGUMENT, "range %d..%d is empty (lo > hi)", batch->lo, batch->hi);
    if (batch->histogram != NULL && (batch->hist_width < 1 || batch->hist_bins < 1))
        return fail(&x, IPCL_BAD_ARGUMENT, "a histogram needs bins of width >= 1");
    if (batch->seeded && seeds == NULL)
        return fail(&x, IPCL_BAD_ARGUMENT, "a seeded batch needs its seeds");
    uint64_t used = 0;
    uint32_t request_id = batch->first_request_id;
    if (request_id == 0)
        request_id = 1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t count = counts[i];
        if (count > IPCL_MAX_COUNT)
            return fail(&x, IPCL_BAD_ARGUMENT, "count %u exceeds the limit of %u", count, IPCL_MAX_COUNT);
        int32_t *destination = NULL;
        if (batch->values != NULL) {
            if (used + count > batch->values_capacity)
                return fail(&x, IPCL_BAD_ARGUMENT, "the values buffer holds %llu values, the batch needs more",
                            (unsigned long long)batch->values_capacity);
            destination = batch->values + used;
        }
        int32_t last_values[IPCL_LAST_VALUES];
        uint32_t this_id = request_id;
        request_id = request_id % 0xFFFFFFFFu + 1;
        outcome->next_request_id = request_id;
        int status = exchange(&x, this_id, count, batch->seeded ? seeds[i] : 0, destination, &records[i],
                              last_values);
        if (status)
            return status;
        used += count;
        outcome->done = i + 1;
        if (count) {
            outcome->last_count = count < IPCL_LAST_VALUES ? count : IPCL_LAST_VALUES;
            memcpy(outcome->last_values, last_values, outcome->last_count * sizeof(int32_t));
        }
    }
    outcome->status = IPCL_OK;
    return IPCL_OK;
}
