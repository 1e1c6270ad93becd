/* server.c - the server half of IPC Lab's compiled data plane: one call serves one connected
 * TCP or Unix stream socket until the client leaves, with the interpreter lock released (the
 * Python server accepts, applies the client cap and runs each call in its connection thread).
 *
 * It does what backend/servers/socket_server.py's connection loop does, with the same limits,
 * timeouts and messages: idle timeout before a request, request timeout from its first byte (a
 * TIMEOUT error frame), write timeout for each whole write (waiting for room inside a blocking
 * send(), as the Python engine does, so that the Kernel tab shows the same blocked call); every request
 * checked in the order of frames.decode_request (magic, version, type, length, CRC-32, flags,
 * count, range) before anything is used, its first 8 bytes as soon as they arrive; value errors answered with an ERROR frame and the
 * connection kept, framing errors answered and the connection closed (the caller closes gracefully
 * after an ERROR frame: error_sent). Replies: up to 16,384
 * values in one write, larger ones in CHUNK frames of at most 262,144 values, then END with the
 * generation and service times. Events go back through a callback, per-exchange ones within the
 * same lines-per-second budget as the Python EventWriter; totals are atomic counters.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "ipclab_native.h"
#include "server_parts.h"

#define BULK_SOCKET_BUFFER (4 * 1024 * 1024)

static int say(server *s, int status, const char *format, ...) __attribute__((format(printf, 3, 4)));

static int say(server *s, int status, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(s->message, s->message_size, format, arguments);
    va_end(arguments);
    return status;
}

static int cancelled_now(const server *s)
{
    if (s->c->cancel_fd < 0)
        return 0;
    struct pollfd probe = { .fd = s->c->cancel_fd, .events = POLLIN };
    return poll(&probe, 1, 0) > 0;
}

/* Wait until the socket is ready for `events`: IPCL_OK, IPCL_TIMEOUT or IPCL_CANCELLED. */
static int wait_for(server *s, short events, int timeout_ms)
{
    int64_t deadline = timeout_ms < 0 ? -1 : ipcl_now_ns() + (int64_t)timeout_ms * 1000000;
    for (;;) {
        struct pollfd set[2] = { { .fd = s->c->fd, .events = events }, { .fd = s->c->cancel_fd, .events = POLLIN } };
        int wait_ms = -1;
        if (deadline >= 0) {
            int64_t remaining = deadline - ipcl_now_ns();
            if (remaining <= 0)
                return IPCL_TIMEOUT;
            wait_ms = (int)((remaining + 999999) / 1000000);
        }
        int ready = poll(set, s->c->cancel_fd >= 0 ? 2 : 1, wait_ms);
        if (ready < 0 && errno != EINTR)
            return say(s, IPCL_OS_ERROR, "poll failed: %s", strerror(errno));
        if (ready <= 0)
            continue;
        if (s->c->cancel_fd >= 0 && set[1].revents)
            return IPCL_CANCELLED;
        if (set[0].revents)
            return IPCL_OK;
    }
}

/* Set a kernel timeout (SO_RCVTIMEO / SO_SNDTIMEO) of a blocking socket, unless it already has
 * that value: the usual exchange makes no call for it (timeout_ms < 0: no limit). */
static int set_kernel_timeout(server *s, int option, int timeout_ms)
{
    int *current = option == SO_RCVTIMEO ? &s->receive_timeout_ms : &s->send_timeout_ms;
    if (timeout_ms < 0)
        timeout_ms = 0;
    if (*current == timeout_ms)
        return 0;
    struct timeval timeout = { .tv_sec = timeout_ms / 1000, .tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000 };
    if (setsockopt(s->c->fd, SOL_SOCKET, option, &timeout, sizeof timeout) < 0)
        return -1;
    *current = timeout_ms;
    return 0;
}

/* Read some bytes (0: end of stream) waiting at most timeout_ms inside a blocking recv() bounded
 * by SO_RCVTIMEO, as the Python engine's does: the Kernel tab shows the thread in recvfrom() on
 * either engine. The server's Cancellation shuts the socket down, which ends the wait (0 bytes).
 * IPCL_TIMEOUT carries no message. */
static int read_some(server *s, uint8_t *into, size_t length, int timeout_ms, size_t *got)
{
    if (set_kernel_timeout(s, SO_RCVTIMEO, timeout_ms) < 0)
        return say(s, IPCL_OS_ERROR, "[Errno %d] %s", errno, strerror(errno));
    for (;;) {
        ssize_t n = recv(s->c->fd, into, length, 0);
        if (n >= 0) {
            *got = (size_t)n;
            return IPCL_OK;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return IPCL_TIMEOUT;
        if (errno == ECONNRESET || errno == ECONNABORTED)
            return say(s, IPCL_PEER_CLOSED, "connection reset by peer: [Errno %d] %s", errno, strerror(errno));
        if (cancelled_now(s))
            return IPCL_CANCELLED;
        return say(s, IPCL_OS_ERROR, "[Errno %d] %s", errno, strerror(errno));
    }
}

/* Write everything within timeout_ms in all (one deadline for the whole write, as the Python
 * channels do: a peer that takes a little now and then cannot stretch it). A socket waits for
 * room inside a blocking send() bounded by SO_SNDTIMEO (the Kernel tab then shows the thread
 * blocked in sendto() with its send buffer full, on either engine); a reply FIFO is non-blocking
 * and waits in poll(). */
int ipcl_send_all(server *s, const uint8_t *data, size_t length, int timeout_ms, double timeout_s)
{
    int64_t deadline = ipcl_now_ns() + (int64_t)timeout_ms * 1000000;
    int first = 1;
    while (length) {
        ssize_t n;
        if (s->c->not_socket) {
            n = write(s->c->fd, data, length);
        } else {
            int64_t remaining_ms = first ? timeout_ms : (deadline - ipcl_now_ns()) / 1000000;
            if (remaining_ms <= 0)
                return say(s, IPCL_TIMEOUT, "the peer accepted no data for %g s", timeout_s);
            if (set_kernel_timeout(s, SO_SNDTIMEO, (int)remaining_ms) < 0)
                return say(s, IPCL_OS_ERROR, "[Errno %d] %s", errno, strerror(errno));
            n = send(s->c->fd, data, length, MSG_NOSIGNAL);
        }
        first = 0;
        if (n >= 0) {
            data += n;
            length -= (size_t)n;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (!s->c->not_socket && cancelled_now(s))
            return IPCL_CANCELLED; /* the Cancellation shut the socket down */
        if (!s->c->not_socket && (errno == EAGAIN || errno == EWOULDBLOCK))
            return say(s, IPCL_TIMEOUT, "the peer accepted no data for %g s", timeout_s);
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            int64_t remaining_ms = (deadline - ipcl_now_ns()) / 1000000;
            int status = remaining_ms <= 0 ? IPCL_TIMEOUT : wait_for(s, POLLOUT, (int)remaining_ms);
            if (status == IPCL_TIMEOUT)
                return say(s, IPCL_TIMEOUT, "the peer accepted no data for %g s", timeout_s);
            if (status)
                return status;
            continue;
        }
        if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
            return say(s, IPCL_PEER_CLOSED, "peer closed the connection: [Errno %d] %s", errno, strerror(errno));
        return say(s, IPCL_OS_ERROR, "[Errno %d] %s", errno, strerror(errno));
    }
    return IPCL_OK;
}

size_t ipcl_encode_error(uint8_t frame[IPCL_REPLY_HEADER_SIZE + IPCL_MAX_ERROR_MESSAGE], uint32_t request_id,
                         int code, const char *text)
{
    size_t length = strlen(text);
    if (length > IPCL_MAX_ERROR_MESSAGE)
        length = IPCL_MAX_ERROR_MESSAGE; /* our messages are ASCII: no character is cut */
    memcpy(frame, IPCL_MAGIC, 4);
    frame[4] = IPCL_VERSION;
    frame[5] = IPCL_ERROR;
    frame[6] = frame[7] = 0;
    ipcl_put32(frame + 8, request_id);
    ipcl_put32(frame + 12, ((uint32_t)code << 16) | (uint32_t)length);
    memcpy(frame + IPCL_REPLY_HEADER_SIZE, text, length);
    return IPCL_REPLY_HEADER_SIZE + length;
}

static void send_error(server *s, uint32_t request_id, int code, const char *text)
{
    uint8_t frame[IPCL_REPLY_HEADER_SIZE + IPCL_MAX_ERROR_MESSAGE];
    size_t length = ipcl_encode_error(frame, request_id, code, text);
    char *saved = s->message;
    char scratch[64];
    s->message = scratch; /* a failed error frame must not overwrite the caller's message */
    uint32_t saved_size = s->message_size;
    s->message_size = sizeof scratch;
    ipcl_send_all(s, frame, length, 1000, 1.0);
    s->message = saved;
    s->message_size = saved_size;
}

static int exchange_line_allowed(const ipcl_connection *c)
{
    ipcl_server_totals *t = c->totals;
    int64_t now = ipcl_now_ns(), start = __atomic_load_n(&t->window_start_ns, __ATOMIC_RELAXED);
    if (now - start >= 1000000000) {
        if (__atomic_compare_exchange_n(&t->window_start_ns, &start, now, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            __atomic_store_n(&t->window_lines, 0, __ATOMIC_RELAXED);
    }
    if (__atomic_fetch_add(&t->window_lines, 1, __ATOMIC_RELAXED) < (uint64_t)c->lines_per_second)
        return 1;
    __atomic_fetch_add(&t->suppressed_lines, 1, __ATOMIC_RELAXED);
    return 0;
}

static void client_error(server *s, int code, const char *text)
{
    ipcl_event event;
    memset(&event, 0, sizeof event);
    event.kind = IPCL_EVENT_CLIENT_ERROR;
    event.code = code;
    snprintf(event.message, sizeof event.message, "%s", text);
    s->c->on_event(&event);
}

/* Check a request's first 8 bytes (magic, version, type, length); 0 or the error code, with its text. */
static int check_prefix(const uint8_t *f, char *text, size_t size)
{
    if (memcmp(f, IPCL_MAGIC, 4) != 0) {
        char shown[64];
        ipcl_bytes_repr(f, 4, shown, sizeof shown);
        snprintf(text, size, "bad magic %s, expected b'IPCL'", shown);
        return BAD_MAGIC;
    }
    if (f[4] != IPCL_VERSION) {
        snprintf(text, size, "protocol version %u is not supported (this is %d)", f[4], IPCL_VERSION);
        return UNSUPPORTED_VERSION;
    }
    if (f[5] != IPCL_REQUEST) {
        snprintf(text, size, "frame type %u is not a request", f[5]);
        return BAD_FRAME;
    }
    uint32_t length = ((uint32_t)f[6] << 8) | f[7];
    if (length != IPCL_REQUEST_SIZE) {
        snprintf(text, size, "request length field %u, expected %d", length, IPCL_REQUEST_SIZE);
        return BAD_FRAME;
    }
    return 0;
}

/* Check a whole 48-byte request in decode_request's order; 0 or the error code, with its text. */
int ipcl_check_request(const uint8_t *f, uint32_t max_count, request *r, char *text, size_t size)
{
    int code = check_prefix(f, text, size);
    if (code)
        return code;
    if (ipcl_crc32(f, 44) != ipcl_get32(f + 44)) {
        snprintf(text, size, "request checksum does not match");
        return BAD_FRAME;
    }
    r->pid = ipcl_get32(f + 8);
    r->channel = ipcl_get32(f + 12);
    r->request_id = ipcl_get32(f + 16);
    r->flags = ipcl_get32(f + 20);
    r->count = ipcl_get32(f + 24);
    r->lo = (int32_t)ipcl_get32(f + 28);
    r->hi = (int32_t)ipcl_get32(f + 32);
    r->seed = ipcl_get64(f + 36);
    if (r->flags & ~IPCL_REQUEST_FLAG_SEED) {
        snprintf(text, size, "unknown request flags 0x%08x", r->flags);
        return BAD_FRAME;
    }
    uint32_t limit = max_count < IPCL_MAX_COUNT ? max_count : IPCL_MAX_COUNT;
    if (r->count > limit) {
        snprintf(text, size, "count %u exceeds the limit of %u", r->count, limit);
        return COUNT_TOO_LARGE;
    }
    if (r->lo > r->hi) {
        snprintf(text, size, "range %d..%d is empty (lo > hi)", r->lo, r->hi);
        return BAD_RANGE;
    }
    return 0;
}

static int generate(server *s, const request *r, uint64_t token, uint32_t *out, uint32_t count)
{
    if (!(r->flags & IPCL_REQUEST_FLAG_SEED)) {
        ipcl_rng_fill_wire(&s->rng, out, count, r->lo, r->hi);
        return IPCL_OK;
    }
    if (s->c->generate(token, r->seed, count, r->lo, r->hi, out) != 0)
        return say(s, IPCL_OS_ERROR, "internal error: the seeded generator failed");
    return IPCL_OK;
}

static void put_header(uint8_t *p, uint8_t type, uint32_t request_id, uint32_t word)
{
    memcpy(p, IPCL_MAGIC, 4);
    p[4] = IPCL_VERSION;
    p[5] = type;
    p[6] = p[7] = 0;
    ipcl_put32(p + 8, request_id);
    ipcl_put32(p + 12, word);
}

static void put_end(server *s, uint8_t *p, const request *r, int64_t generation_ns, int64_t service_ns)
{
    put_header(p, IPCL_END, r->request_id, r->count);
    ipcl_put32(p + 16, s->server_pid);
    ipcl_put32(p + 20, 0);
    ipcl_put64(p + 24, (uint64_t)generation_ns);
    ipcl_put64(p + 32, (uint64_t)service_ns);
}

int ipcl_serve_parsed(server *s, const request *r, int64_t received_ns)
{
    const ipcl_connection *c = s->c;
    ipcl_event event;
    memset(&event, 0, sizeof event);
    event.pid = r->pid;
    event.channel = r->channel;
    event.request_id = r->request_id;
    event.count = r->count;
    event.lo = r->lo;
    event.hi = r->hi;
    event.seeded = r->flags & IPCL_REQUEST_FLAG_SEED;
    event.seed = r->seed;
    if (c->exchange_events && exchange_line_allowed(c)) {
        event.kind = IPCL_EVENT_REQUEST;
        c->on_event(&event);
    }
    uint64_t token = __atomic_fetch_add(&c->totals->next_stream, 1, __ATOMIC_RELAXED);
    int64_t generation_ns = 0;
    uint64_t sent = 0;
    int status = IPCL_OK;
    double write_s = c->write_timeout_ms / 1000.0;
    if (r->count <= SMALL_REPLY_VALUES) {
        size_t length = IPCL_END_SIZE;
        uint8_t *end = s->small;
        if (r->count) {
            int64_t before = ipcl_now_ns();
            status = generate(s, r, token, (uint32_t *)(s->small + IPCL_REPLY_HEADER_SIZE), r->count);
            int64_t after = ipcl_now_ns();
            generation_ns = after - before;
            put_header(s->small, IPCL_CHUNK, r->request_id, r->count);
            end = s->small + IPCL_REPLY_HEADER_SIZE + (size_t)r->count * 4;
            put_end(s, end, r, generation_ns, after - received_ns);
            length += IPCL_REPLY_HEADER_SIZE + (size_t)r->count * 4;
        } else {
            put_end(s, end, r, 0, ipcl_now_ns() - received_ns);
        }
        if (status == IPCL_OK)
            status = ipcl_send_all(s, s->small, length, c->write_timeout_ms, write_s);
        sent = length;
    } else {
        if (s->large == NULL && (s->large = malloc(IPCL_REPLY_HEADER_SIZE + (size_t)IPCL_MAX_CHUNK_VALUES * 4)) == NULL)
            status = say(s, IPCL_OS_ERROR, "out of memory for a reply chunk");
        int bulk = BULK_SOCKET_BUFFER;
        if (!c->not_socket) /* a FIFO's caller grows the pipe itself */
            setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &bulk, sizeof bulk); /* ignored where refused */
        for (uint32_t remaining = r->count; status == IPCL_OK && remaining;) {
            uint32_t size = remaining < IPCL_MAX_CHUNK_VALUES ? remaining : IPCL_MAX_CHUNK_VALUES;
            int64_t before = ipcl_now_ns();
            status = generate(s, r, token, (uint32_t *)(s->large + IPCL_REPLY_HEADER_SIZE), size);
            generation_ns += ipcl_now_ns() - before;
            if (status)
                break;
            put_header(s->large, IPCL_CHUNK, r->request_id, size);
            status = ipcl_send_all(s, s->large, IPCL_REPLY_HEADER_SIZE + (size_t)size * 4, c->write_timeout_ms, write_s);
            sent += IPCL_REPLY_HEADER_SIZE + (uint64_t)size * 4;
            remaining -= size;
        }
        if (status == IPCL_OK) {
            uint8_t end[IPCL_END_SIZE];
            put_end(s, end, r, generation_ns, ipcl_now_ns() - received_ns);
            status = ipcl_send_all(s, end, sizeof end, c->write_timeout_ms, write_s);
            sent += IPCL_END_SIZE;
        }
    }
    if (r->flags & IPCL_REQUEST_FLAG_SEED)
        c->generate(token, r->seed, 0, r->lo, r->hi, NULL); /* the reply is over: forget its stream */
    if (status)
        return status;
    __atomic_fetch_add(&c->totals->requests, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&c->totals->numbers, r->count, __ATOMIC_RELAXED);
    __atomic_fetch_add(&c->totals->bytes, sent, __ATOMIC_RELAXED);
    if (c->exchange_events && exchange_line_allowed(c)) {
        event.kind = IPCL_EVENT_REPLY_SENT;
        event.bytes = sent;
        event.generation_ns = generation_ns;
        event.service_ns = ipcl_now_ns() - received_ns;
        c->on_event(&event);
    }
    return IPCL_OK;
}

static int connection_loop(server *s)
{
    const ipcl_connection *c = s->c;
    for (;;) {
        uint8_t frame[IPCL_REQUEST_SIZE];
        size_t got = 0, more;
        int status = read_some(s, frame, sizeof frame, c->idle_timeout_ms, &got);
        if (status == IPCL_TIMEOUT)
            return say(s, IPCL_TIMEOUT, "no data for %g s", c->idle_timeout_ms / 1000.0);
        if (status)
            return status;
        if (got == 0)
            return IPCL_OK;
        int64_t deadline = ipcl_now_ns() + (int64_t)c->request_timeout_ms * 1000000;
        int prefix_checked = 0;
        while (got < sizeof frame) {
            if (!prefix_checked && got >= 8) {
                /* Magic, version, type and length are known after 8 bytes: a wrong one is answered
                 * now, not after the half-sent timeout (another version's request may be shorter). */
                prefix_checked = 1;
                char text[160];
                int code = check_prefix(frame, text, sizeof text);
                if (code) {
                    send_error(s, 0, code, text);
                    client_error(s, code, text);
                    *c->error_sent = 1;
                    return IPCL_OK;
                }
            }
            int64_t remaining_ms = (deadline - ipcl_now_ns()) / 1000000;
            status = read_some(s, frame + got, sizeof frame - got, remaining_ms < 1 ? 1 : (int)remaining_ms, &more);
            if (status == IPCL_TIMEOUT) {
                char text[64];
                snprintf(text, sizeof text, "incomplete request: %zu of 48 bytes", got);
                send_error(s, 0, TIMEOUT_CODE, text);
                *c->error_sent = 1;
                return say(s, IPCL_TIMEOUT, "sent %zu of 48 request bytes then stalled", got);
            }
            if (status)
                return status;
            if (more == 0)
                return say(s, IPCL_PEER_CLOSED, "closed the connection after %zu of 48 request bytes", got);
            got += more;
        }
        int64_t received_ns = ipcl_now_ns();
        request r;
        char text[160];
        int code = ipcl_check_request(frame, c->max_count, &r, text, sizeof text);
        if (code == COUNT_TOO_LARGE || code == BAD_RANGE) {
            send_error(s, ipcl_get32(frame + 16), code, text);
            client_error(s, code, text);
            continue;
        }
        if (code) {
            send_error(s, 0, code, text);
            client_error(s, code, text);
            *c->error_sent = 1;
            return IPCL_OK; /* framing is lost: close the connection */
        }
        if ((status = ipcl_serve_parsed(s, &r, received_ns)))
            return status;
    }
}

int32_t ipcl_serve_connection(const ipcl_connection *connection, char *message, uint32_t message_size)
{
    server s = { .c = connection, .message = message, .message_size = message_size,
                 .server_pid = (uint32_t)getpid(), .receive_timeout_ms = -1, .send_timeout_ms = -1 };
    if (message_size)
        message[0] = 0;
    /* Blocking for the whole connection, its waits bounded by the kernel timeouts (set when they
     * change: the usual exchange is one recv() and one send()); restored for the caller after. */
    int flags = fcntl(connection->fd, F_GETFL);
    if (flags < 0 || fcntl(connection->fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
        return say(&s, IPCL_OS_ERROR, "[Errno %d] %s", errno, strerror(errno));
    s.small = malloc(IPCL_REPLY_HEADER_SIZE + (size_t)SMALL_REPLY_VALUES * 4 + IPCL_END_SIZE);
    int status;
    if (s.small == NULL) {
        status = say(&s, IPCL_OS_ERROR, "out of memory for a connection");
    } else {
        uint64_t stream = __atomic_fetch_add(&connection->totals->next_stream, 1, __ATOMIC_RELAXED);
        ipcl_rng_seed(&s.rng, connection->seeded_server != 0, connection->server_seed, stream);
        status = connection_loop(&s);
    }
    free(s.small);
    free(s.large);
    set_kernel_timeout(&s, SO_RCVTIMEO, 0);
    set_kernel_timeout(&s, SO_SNDTIMEO, 0);
    fcntl(connection->fd, F_SETFL, flags);
    if (status != IPCL_CANCELLED && cancelled_now(&s))
        status = IPCL_CANCELLED;
    return status;
}
