/* fifo_server.c - the FIFO server's listener in the compiled data plane: it reads the well-known
 * request FIFO in a blocking read() (the Kernel tab shows it waiting there, as with the Python
 * engine), finds every request in what arrives, answers small ones inline and hands larger ones
 * to Python, whose worker threads write them (they watch for a client that gives up).
 *
 * It does what backend/servers/fifo_server.py's listener does, in the same order and with the
 * same messages: resynchronisation at the next magic after garbage (a version-1 candidate is
 * judged as soon as its 48 bytes are in; a fragment never holds up a whole request behind it; a
 * partial request is dropped a byte at a time after the request timeout), every request checked
 * before use (ipcl_check_request), ERROR replies to the client the request names, and reply FIFOs
 * opened with FifoDirectory.open_reply's checks (no symlink, a FIFO of this user with one link,
 * the same file before and after open()). Open reply FIFOs are kept in a bounded cache (as
 * backend/servers/reply_cache.py does) that Python prunes and sheds from its own threads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipclab_native.h"
#include "server_parts.h"

#define PIPE_BUF_SIZE 4096u       /* the longest request of any version (protocol.PIPE_BUF) */
#define READ_SIZE 65536u          /* bytes asked of one read() */
#define BUFFER_SIZE (READ_SIZE + PIPE_BUF_SIZE)
#define MAGIC_SIZE 4u
#define PREFIX_SIZE 8u

enum { OPENED = 0, REPLY_REFUSED = 1, NO_DESCRIPTORS = 2 };

typedef struct {
    uint32_t pid, channel;
    int fd;
    uint64_t used; /* when it was last used (a tick): the least recently used is shed first */
} cache_entry;

struct ipcl_fifo_cache {
    pthread_mutex_t lock;
    uint32_t capacity, size;
    int in_use;    /* the descriptor the listener is writing to: never closed by another thread */
    uint64_t tick;
    cache_entry entries[];
};

typedef struct {
    const ipcl_fifo_server *f;
    ipcl_fifo_cache *cache;
    ipcl_connection connection; /* what ipcl_serve_parsed writes to: fd is the reply FIFO */
    server s;
} listener;

/* ---- the cache of open reply FIFOs ---- */

ipcl_fifo_cache *ipcl_fifo_cache_new(uint32_t capacity)
{
    if (capacity == 0)
        capacity = 1;
    ipcl_fifo_cache *cache = calloc(1, sizeof *cache + (size_t)capacity * sizeof(cache_entry));
    if (cache == NULL)
        return NULL;
    if (pthread_mutex_init(&cache->lock, NULL) != 0) {
        free(cache);
        return NULL;
    }
    cache->capacity = capacity;
    cache->in_use = -1;
    return cache;
}

void ipcl_fifo_cache_free(ipcl_fifo_cache *cache)
{
    if (cache == NULL)
        return;
    for (uint32_t i = 0; i < cache->size; i++)
        close(cache->entries[i].fd);
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

uint32_t ipcl_fifo_cache_size(ipcl_fifo_cache *cache)
{
    pthread_mutex_lock(&cache->lock);
    uint32_t size = cache->size;
    pthread_mutex_unlock(&cache->lock);
    return size;
}

/* Remove entry i (the caller holds the lock) and return its descriptor. */
static int remove_entry(ipcl_fifo_cache *cache, uint32_t i)
{
    int fd = cache->entries[i].fd;
    cache->entries[i] = cache->entries[--cache->size];
    return fd;
}

/* The least recently used entry not in use, or -1 (the caller holds the lock). */
static int64_t oldest_entry(const ipcl_fifo_cache *cache)
{
    int64_t oldest = -1;
    for (uint32_t i = 0; i < cache->size; i++) {
        if (cache->entries[i].fd == cache->in_use)
            continue;
        if (oldest < 0 || cache->entries[i].used < cache->entries[oldest].used)
            oldest = i;
    }
    return oldest;
}

int32_t ipcl_fifo_cache_shed_one(ipcl_fifo_cache *cache)
{
    pthread_mutex_lock(&cache->lock);
    int64_t oldest = oldest_entry(cache);
    int fd = oldest < 0 ? -1 : remove_entry(cache, (uint32_t)oldest);
    pthread_mutex_unlock(&cache->lock);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

uint32_t ipcl_fifo_cache_prune(ipcl_fifo_cache *cache)
{
    uint32_t closed = 0;
    pthread_mutex_lock(&cache->lock);
    for (uint32_t i = 0; i < cache->size;) {
        cache_entry *entry = &cache->entries[i];
        if (entry->fd == cache->in_use) {
            i++;
            continue;
        }
        struct pollfd probe = { .fd = entry->fd, .events = 0 }; /* POLLERR: the reader is gone */
        struct stat info;
        int dead = (poll(&probe, 1, 0) > 0 && (probe.revents & (POLLERR | POLLHUP | POLLNVAL)))
                   || fstat(entry->fd, &info) != 0 || info.st_nlink == 0;
        if (!dead) {
            i++;
            continue;
        }
        close(remove_entry(cache, i)); /* entry i is now another one: look at it next */
        closed++;
    }
    pthread_mutex_unlock(&cache->lock);
    return closed;
}

/* The cached descriptor of a client, marked in use; or -1. */
static int cached_reply(ipcl_fifo_cache *cache, uint32_t pid, uint32_t channel)
{
    int fd = -1;
    pthread_mutex_lock(&cache->lock);
    for (uint32_t i = 0; i < cache->size; i++) {
        cache_entry *entry = &cache->entries[i];
        if (entry->pid == pid && entry->channel == channel) {
            entry->used = ++cache->tick;
            fd = cache->in_use = entry->fd;
            break;
        }
    }
    pthread_mutex_unlock(&cache->lock);
    return fd;
}

/* Keep a freshly opened descriptor, marked in use; the oldest entry makes room if needed. */
static void remember_reply(ipcl_fifo_cache *cache, uint32_t pid, uint32_t channel, int fd)
{
    int evicted = -1;
    pthread_mutex_lock(&cache->lock);
    if (cache->size == cache->capacity) {
        int64_t oldest = oldest_entry(cache);
        if (oldest >= 0)
            evicted = remove_entry(cache, (uint32_t)oldest);
    }
    if (cache->size < cache->capacity)
        cache->entries[cache->size++] = (cache_entry){ .pid = pid, .channel = channel, .fd = fd, .used = ++cache->tick };
    cache->in_use = fd;
    pthread_mutex_unlock(&cache->lock);
    if (evicted >= 0)
        close(evicted);
}

/* Done writing; a broken descriptor (the write failed) is closed and forgotten. */
static void release_reply(ipcl_fifo_cache *cache, int fd, int broken)
{
    int found = 0;
    pthread_mutex_lock(&cache->lock);
    cache->in_use = -1;
    if (broken) {
        for (uint32_t i = 0; i < cache->size; i++) {
            if (cache->entries[i].fd == fd) {
                remove_entry(cache, i);
                found = 1;
                break;
            }
        }
    }
    pthread_mutex_unlock(&cache->lock);
    if (broken && found)
        close(fd);
}

/* ---- events ---- */

static void tell(listener *l, int kind, int code, int has_client, uint32_t pid, uint32_t channel,
                 const char *format, ...) __attribute__((format(printf, 7, 8)));

static void tell(listener *l, int kind, int code, int has_client, uint32_t pid, uint32_t channel,
                 const char *format, ...)
{
    ipcl_event event;
    memset(&event, 0, sizeof event);
    event.kind = kind;
    event.code = code;
    event.has_client = (uint32_t)has_client;
    event.pid = pid;
    event.channel = channel;
    if (format != NULL) {
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(event.message, sizeof event.message, format, arguments);
        va_end(arguments);
    }
    l->f->on_event(&event);
}

static const char *bytes_word(size_t count)
{
    return count == 1 ? "byte" : "bytes";
}

static void report_garbage(listener *l, size_t count)
{
    if (count == 0)
        return;
    *l->f->garbage_bytes += count;
    tell(l, IPCL_EVENT_CLIENT_ERROR, 0, 0, 0, 0, "skipped %zu %s that were not a request", count, bytes_word(count));
}

/* ---- reply FIFOs ---- */

/* Open a client's reply FIFO for writing as FifoDirectory.open_reply does; OPENED with *fd, or
 * REPLY_REFUSED / NO_DESCRIPTORS with the reason in text. */
static int open_reply(listener *l, uint32_t pid, uint32_t channel, int *fd, char *text, size_t size)
{
    char name[64];
    snprintf(name, sizeof name, "reply-%u-%u.fifo", pid, channel);
    struct stat info, opened;
    if (fstatat(l->f->directory_fd, name, &info, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT)
            snprintf(text, size, "client %u/%u has no reply FIFO (it is gone)", pid, channel);
        else
            snprintf(text, size, "cannot open %s: %s", name, strerror(errno));
        return REPLY_REFUSED;
    }
    if (!S_ISFIFO(info.st_mode) || info.st_uid != l->f->user_id) {
        snprintf(text, size, "%s is not a FIFO owned by this user; refusing to open it", name);
        return REPLY_REFUSED;
    }
    if (info.st_nlink != 1) {
        snprintf(text, size, "%s has %lu links (a hard link?); refusing to open it", name, (unsigned long)info.st_nlink);
        return REPLY_REFUSED;
    }
    int opened_fd = openat(l->f->directory_fd, name, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (opened_fd < 0) {
        int error = errno;
        if (error == ENXIO)
            snprintf(text, size, "client %u/%u is not reading its reply FIFO (it is gone)", pid, channel);
        else if (error == ELOOP)
            snprintf(text, size, "%s is a symlink; refusing to open it", name);
        else
            snprintf(text, size, "cannot open %s: %s", name, strerror(error));
        return error == EMFILE || error == ENFILE ? NO_DESCRIPTORS : REPLY_REFUSED;
    }
    if (fstat(opened_fd, &opened) != 0 || opened.st_dev != info.st_dev || opened.st_ino != info.st_ino
        || !S_ISFIFO(opened.st_mode) || opened.st_nlink != 1) {
        close(opened_fd);
        snprintf(text, size, "%s changed while it was being opened; refusing it", name);
        return REPLY_REFUSED;
    }
    *fd = opened_fd;
    return OPENED;
}

/* open_reply; at EMFILE/ENFILE shed cached descriptors one by one and retry (open_with_shedding). */
static int open_with_shedding(listener *l, uint32_t pid, uint32_t channel, int *fd, char *text, size_t size)
{
    for (;;) {
        int outcome = open_reply(l, pid, channel, fd, text, size);
        if (outcome != NO_DESCRIPTORS || !ipcl_fifo_cache_shed_one(l->cache))
            return outcome;
        tell(l, IPCL_EVENT_CLIENT_ERROR, 0, 1, pid, channel, "%s: closed a cached reply FIFO and retried", text);
    }
}

/* An ERROR reply to the client a request names, on a descriptor opened for it (one write). */
static void reply_error(listener *l, uint32_t pid, uint32_t channel, uint32_t request_id, int code, const char *text)
{
    char why[256];
    int fd;
    int outcome = open_with_shedding(l, pid, channel, &fd, why, sizeof why);
    if (outcome == NO_DESCRIPTORS)
        tell(l, IPCL_EVENT_CLIENT_ERROR, 0, 1, pid, channel, "error reply dropped: %s", why);
    if (outcome != OPENED)
        return;
    uint8_t frame[IPCL_REPLY_HEADER_SIZE + IPCL_MAX_ERROR_MESSAGE];
    ssize_t written = write(fd, frame, ipcl_encode_error(frame, request_id, code, text));
    (void)written; /* a client that does not read its error reply loses it, as with the Python engine */
    close(fd);
}

/* A small reply through the cache: a broken pipe means nothing was sent (the reply fits in an
 * empty pipe), so the FIFO is reopened once (the client may have been replaced under that name). */
static void serve_inline(listener *l, const request *r, int64_t received_ns)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = cached_reply(l->cache, r->pid, r->channel);
        if (fd < 0) {
            char why[256];
            tell(l, IPCL_EVENT_CLIENT_SEEN, 0, 1, r->pid, r->channel, NULL);
            int outcome = open_with_shedding(l, r->pid, r->channel, &fd, why, sizeof why);
            if (outcome == NO_DESCRIPTORS) {
                tell(l, IPCL_EVENT_CLIENT_ERROR, 0, 1, r->pid, r->channel, "reply dropped: %s", why);
                return;
            }
            if (outcome != OPENED) {
                tell(l, IPCL_EVENT_CLIENT_GONE, 0, 1, r->pid, r->channel, "%s", why);
                return;
            }
            remember_reply(l->cache, r->pid, r->channel, fd);
        }
        l->connection.fd = fd;
        l->s.message[0] = 0;
        int status = ipcl_serve_parsed(&l->s, r, received_ns);
        release_reply(l->cache, fd, status != IPCL_OK);
        if (status == IPCL_OK || status == IPCL_CANCELLED)
            return;
        if (status == IPCL_PEER_CLOSED) {
            if (attempt == 0)
                continue;
            tell(l, IPCL_EVENT_CLIENT_GONE, 0, 1, r->pid, r->channel, "closed its reply FIFO");
        } else if (status == IPCL_TIMEOUT) {
            tell(l, IPCL_EVENT_CLIENT_ERROR, 0, 1, r->pid, r->channel, "not reading its reply; dropped");
        } else {
            tell(l, IPCL_EVENT_CLIENT_ERROR, 0, 1, r->pid, r->channel, "internal error: %s", l->s.message);
        }
        return;
    }
}

/* One frame with a valid CRC: check it, then answer it, hand it over, or answer its error. */
static void handle_frame(listener *l, const uint8_t *frame, int64_t received_ns)
{
    uint32_t pid = ipcl_get32(frame + 8), channel = ipcl_get32(frame + 12), request_id = ipcl_get32(frame + 16);
    request r;
    char text[160];
    int code;
    if (frame[4] != IPCL_VERSION) { /* another version's request may be shorter than 48 bytes */
        snprintf(text, sizeof text, "protocol version %u is not supported (this is %d)", frame[4], IPCL_VERSION);
        code = UNSUPPORTED_VERSION;
    } else {
        code = ipcl_check_request(frame, l->f->max_count, &r, text, sizeof text);
    }
    if (code) {
        tell(l, IPCL_EVENT_CLIENT_ERROR, code, 1, pid, channel, "%s", text);
        reply_error(l, pid, channel, request_id, code, text);
        return;
    }
    if (__atomic_load_n(l->f->worker_replies, __ATOMIC_RELAXED) > 0)
        tell(l, IPCL_EVENT_NEW_REQUEST, 0, 1, pid, channel, NULL);
    if (r.count <= l->f->inline_values) {
        serve_inline(l, &r, received_ns);
        return;
    }
    ipcl_event event;
    memset(&event, 0, sizeof event);
    event.kind = IPCL_EVENT_HAND_OVER;
    event.has_client = 1;
    event.pid = r.pid;
    event.channel = r.channel;
    event.request_id = r.request_id;
    event.count = r.count;
    event.lo = r.lo;
    event.hi = r.hi;
    event.seeded = r.flags & IPCL_REQUEST_FLAG_SEED;
    event.seed = r.seed;
    event.received_ns = received_ns;
    l->f->on_event(&event);
}

/* ---- finding requests in the byte stream ---- */

static uint32_t get16(const uint8_t *p)
{
    return ((uint32_t)p[0] << 8) | p[1];
}

static int64_t find_magic(const uint8_t *buffer, size_t from, size_t size)
{
    if (from >= size)
        return -1;
    const uint8_t *found = memmem(buffer + from, size - from, IPCL_MAGIC, MAGIC_SIZE);
    return found == NULL ? -1 : found - buffer;
}

/* How many bytes at the end of buffer[start:size] are a proper beginning of the magic (0..3). */
static size_t magic_prefix_at_end(const uint8_t *buffer, size_t start, size_t size)
{
    size_t longest = size - start < MAGIC_SIZE - 1 ? size - start : MAGIC_SIZE - 1;
    for (size_t length = longest; length > 0; length--)
        if (memcmp(buffer + size - length, IPCL_MAGIC, length) == 0)
            return length;
    return 0;
}

/* The position of the first complete, valid version-1 request at or after start, or -1. */
static int64_t next_valid_request(const uint8_t *buffer, size_t start, size_t size)
{
    for (size_t position = start;; position++) {
        int64_t found = find_magic(buffer, position, size);
        if (found < 0 || size - (size_t)found < IPCL_REQUEST_SIZE)
            return -1;
        position = (size_t)found;
        const uint8_t *p = buffer + position;
        if (p[4] == IPCL_VERSION && get16(p + 6) == IPCL_REQUEST_SIZE && ipcl_crc32(p, 44) == ipcl_get32(p + 44))
            return (int64_t)position;
    }
}

/* Handle every complete request in buffer[0:size]; return how many bytes were consumed
 * (FifoServer._process_buffer, step for step). */
static size_t process_buffer(listener *l, const uint8_t *buffer, size_t size)
{
    size_t position = 0;
    while (position < size) {
        int64_t start = find_magic(buffer, position, size);
        if (start < 0) {
            size_t skipped = size - position - magic_prefix_at_end(buffer, position, size);
            report_garbage(l, skipped);
            return position + skipped;
        }
        if ((size_t)start > position) {
            report_garbage(l, (size_t)start - position);
            position = (size_t)start;
        }
        if (size - position < PREFIX_SIZE) {
            int64_t later = next_valid_request(buffer, position + 1, size);
            if (later < 0)
                return position;
            report_garbage(l, (size_t)later - position);
            position = (size_t)later;
            continue;
        }
        const uint8_t *p = buffer + position;
        uint32_t length = get16(p + 6);
        if (p[4] == IPCL_VERSION && length != IPCL_REQUEST_SIZE) {
            position++; /* a version-1 request is 48 bytes: resynchronise at once */
            continue;
        }
        if (length < IPCL_REQUEST_SIZE / 2 || length > PIPE_BUF_SIZE) {
            position++; /* cannot be a request of any version: resynchronise */
            continue;
        }
        if (size - position < length) {
            int64_t later = next_valid_request(buffer, position + 1, size);
            if (later < 0)
                return position;
            report_garbage(l, (size_t)later - position); /* a fragment ahead of a whole request */
            position = (size_t)later;
            continue;
        }
        if (ipcl_crc32(p, length - 4) != ipcl_get32(p + length - 4)) {
            position++;
            continue;
        }
        handle_frame(l, p, ipcl_now_ns());
        position += length;
    }
    return position;
}

#define PROBE_INTERVAL_NS 50000000 /* the cancellation pipe is looked at this often while busy */

static int cancelled(const listener *l)
{
    struct pollfd probe = { .fd = l->f->cancel_fd, .events = POLLIN };
    return poll(&probe, 1, 0) > 0;
}

int32_t ipcl_serve_fifo(const ipcl_fifo_server *f, ipcl_fifo_cache *cache, char *message, uint32_t message_size)
{
    listener l = { .f = f, .cache = cache };
    int32_t error_sent = 0;
    l.connection = (ipcl_connection){
        .fd = -1, .cancel_fd = f->cancel_fd, .max_count = f->max_count, .write_timeout_ms = f->inline_timeout_ms,
        .exchange_events = f->exchange_events, .lines_per_second = f->lines_per_second,
        .seeded_server = f->seeded_server, .not_socket = 1, .server_seed = f->server_seed,
        .on_event = f->on_event, .generate = f->generate, .totals = f->totals, .error_sent = &error_sent,
    };
    char serve_message[256];
    l.s = (server){ .c = &l.connection, .message = serve_message, .message_size = sizeof serve_message,
                    .server_pid = (uint32_t)getpid() };
    if (message_size)
        message[0] = 0;
    uint8_t *buffer = malloc(BUFFER_SIZE);
    l.s.small = malloc(IPCL_REPLY_HEADER_SIZE + (size_t)SMALL_REPLY_VALUES * 4 + IPCL_END_SIZE);
    int status = IPCL_CANCELLED;
    if (buffer == NULL || l.s.small == NULL) {
        snprintf(message, message_size, "out of memory for the FIFO listener");
        status = IPCL_OS_ERROR;
    }
    uint64_t stream = __atomic_fetch_add(&f->totals->next_stream, 1, __ATOMIC_RELAXED);
    ipcl_rng_seed(&l.s.rng, f->seeded_server != 0, f->server_seed, stream);
    size_t size = 0;
    int64_t partial_since = 0;
    /* Stopping is seen after every read from stop_requested (stop() sets it, then writes a byte
     * to wake the read): no system call per request. The cancellation pipe itself is probed in
     * every poll() and at most every PROBE_INTERVAL_NS after a read, for a cancellation that
     * came without stop(). */
    int stopping = status == IPCL_CANCELLED && cancelled(&l);
    int64_t last_probe_ns = ipcl_now_ns();
    while (status == IPCL_CANCELLED && !stopping) {
        if (size) {
            int64_t waited_ms = (ipcl_now_ns() - partial_since) / 1000000;
            int64_t wait_ms = f->request_timeout_ms - waited_ms;
            struct pollfd set[2] = { { .fd = f->request_fd, .events = POLLIN }, { .fd = f->cancel_fd, .events = POLLIN } };
            int ready = poll(set, 2, wait_ms < 1 ? 1 : (int)wait_ms);
            if (ready < 0 && errno == EINTR)
                continue;
            if (set[1].revents)
                break;
            if (ready == 0) {
                /* The frame at the head never completed: it was a fragment or garbage. Drop its
                 * first byte only and rescan, so a genuine request behind it is kept. */
                size_t before = size;
                memmove(buffer, buffer + 1, --size);
                size_t consumed = process_buffer(&l, buffer, size);
                memmove(buffer, buffer + consumed, size - consumed);
                size -= consumed;
                *f->garbage_bytes += before - size;
                tell(&l, IPCL_EVENT_CLIENT_ERROR, 0, 0, 0, 0, "discarded %zu %s of an incomplete request after %g s",
                     before - size, bytes_word(before - size), f->request_timeout_ms / 1000.0);
                partial_since = ipcl_now_ns();
                continue;
            }
        }
        if (size > PIPE_BUF_SIZE) { /* never: process_buffer keeps less than one longest request */
            report_garbage(&l, size - PIPE_BUF_SIZE);
            memmove(buffer, buffer + size - PIPE_BUF_SIZE, PIPE_BUF_SIZE);
            size = PIPE_BUF_SIZE;
        }
        ssize_t got = read(f->request_fd, buffer + size, BUFFER_SIZE - size < READ_SIZE ? BUFFER_SIZE - size : READ_SIZE);
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            snprintf(message, message_size, "reading the request FIFO failed: [Errno %d] %s", errno, strerror(errno));
            status = IPCL_OS_ERROR;
            break;
        }
        stopping = __atomic_load_n(f->stop_requested, __ATOMIC_ACQUIRE) != 0;
        int64_t now_ns = ipcl_now_ns();
        if (!stopping && now_ns - last_probe_ns >= PROBE_INTERVAL_NS) {
            stopping = cancelled(&l);
            last_probe_ns = now_ns;
        }
        if (stopping || got == 0)
            continue;
        int had_partial = size > 0;
        size += (size_t)got;
        size_t consumed = process_buffer(&l, buffer, size);
        if (consumed) {
            memmove(buffer, buffer + consumed, size - consumed);
            size -= consumed;
        }
        if (size && (!had_partial || consumed))
            partial_since = ipcl_now_ns();
    }
    free(buffer);
    free(l.s.small);
    free(l.s.large);
    return status;
}
