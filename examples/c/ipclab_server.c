/*
 * ipclab_server.c - reference IPC Lab server, protocol version 1 (see docs/PROTOCOL.md).
 *
 * Plain POSIX C99, no dependencies beyond libc.
 *
 *   ipclab_server tcp  HOST:PORT      (port 0: pick a free port; HOST defaults to 127.0.0.1)
 *   ipclab_server unix PATH
 *   ipclab_server fifo DIR
 *
 * On start it prints one JSON line to stdout, e.g.
 *   {"event": "ready", "transport": "tcp", "address": "127.0.0.1:40123", "pid": 4343, "protocol": 1}
 *
 * Sockets: each accepted connection is served by a forked child (at most MAX_CLIENTS at once;
 * beyond that a client gets ERROR BUSY), which handles any number of sequential requests.
 * FIFO: one process reads DIR/request.fifo as a byte stream, resynchronising on garbage, and
 * answers each request on DIR/reply-<pid>-<channel>.fifo, one request at a time.
 * SIGTERM/SIGINT: stop, remove the socket file or DIR/request.fifo and DIR, exit 0.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- protocol constants (docs/PROTOCOL.md, sections 3, 5 and 6) ---- */
#define PROTO_VERSION 1
#define T_REQUEST 1
#define T_CHUNK 2
#define T_END 3
#define T_ERROR 4
#define REQUEST_SIZE 48
#define HEADER_SIZE 16
#define END_SIZE 40
#define MAX_COUNT 100000000u
#define MAX_CHUNK_VALUES 262144u
#define MAX_ERROR_MESSAGE 1024u
#define FLAG_SEED 0x1u

enum {
    E_BAD_MAGIC = 1,
    E_UNSUPPORTED_VERSION = 2,
    E_BAD_FRAME = 3,
    E_COUNT_TOO_LARGE = 4,
    E_BAD_RANGE = 5,
    E_BUSY = 6,
    E_TIMEOUT = 7,
    E_INTERNAL = 8,
    E_SHUTTING_DOWN = 9,
};

/* Server defaults (PROTOCOL.md section 10). */
#define IDLE_TIMEOUT_MS 60000
#define HALF_SENT_TIMEOUT_MS 5000
#define WRITE_TIMEOUT_MS 10000

#define MAX_CLIENTS 64

static volatile sig_atomic_t stopping = 0;
static uint32_t server_pid;

/* ---- helpers ---- */

static uint32_t crc32_ieee(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xFFFFFFFFu;
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint16_t get_u16(const unsigned char *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static int32_t get_i32(const unsigned char *p)
{
    uint32_t u = get_u32(p);
    return u <= (uint32_t)INT32_MAX ? (int32_t)u : (int32_t)(u - 0x80000000u) + INT32_MIN;
}

static void put_u16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void put_u64(unsigned char *p, uint64_t v)
{
    put_u32(p, (uint32_t)(v >> 32));
    put_u32(p + 4, (uint32_t)v);
}

static void put_header(unsigned char *p, unsigned type, uint32_t request_id)
{
    memcpy(p, "IPCL", 4);
    p[4] = PROTO_VERSION;
    p[5] = (unsigned char)type;
    put_u16(p + 6, 0); /* reserved in reply frames */
    put_u32(p + 8, request_id);
}

static void die(const char *fmt, ...)
{
    va_list ap;
    fputs("ipclab_server: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* ---- random numbers: xoshiro256** seeded through splitmix64 ---- */

static uint64_t rng_state[4];

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static void rng_seed(uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        rng_state[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(void)
{
    uint64_t *s = rng_state;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static uint64_t fresh_seed(void)
{
    static uint64_t counter = 0;
    uint64_t seed = now_ns() ^ ((uint64_t)getpid() << 32) ^ (++counter * 0xD1B54A32D192ED03u);
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd >= 0) {
        uint64_t r;
        if (read(fd, &r, sizeof r) == (ssize_t)sizeof r)
            seed ^= r;
        close(fd);
    }
    return seed;
}

/* A uniformly distributed value in lo..hi (the span can be 2^32: 64-bit arithmetic). */
static int32_t rng_range(int32_t lo, int32_t hi)
{
    uint64_t span = (uint64_t)((int64_t)hi - (int64_t)lo) + 1;
    uint64_t threshold = (0 - span) % span; /* reject the biased low values */
    uint64_t r;
    do
        r = rng_next();
    while (r < threshold);
    return (int32_t)((int64_t)lo + (int64_t)(r % span));
}

/* ---- I/O with timeouts on non-blocking descriptors ---- */

/* Write everything; give up when no byte can be written for WRITE_TIMEOUT_MS. 0 ok, -1 failed. */
static int write_all(int fd, const unsigned char *buf, size_t n)
{
    size_t done = 0;
    int64_t deadline = now_ms() + WRITE_TIMEOUT_MS;
    while (done < n) {
        ssize_t w = write(fd, buf + done, n - done);
        if (w > 0) {
            done += (size_t)w;
            deadline = now_ms() + WRITE_TIMEOUT_MS;
            continue;
        }
        if (w < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            return -1; /* EPIPE, ECONNRESET: the client went away */
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return -1;
        struct pollfd pfd = {fd, POLLOUT, 0};
        if (poll(&pfd, 1, left > 1000 ? 1000 : (int)left) < 0 && errno != EINTR)
            return -1;
    }
    return 0;
}

enum { RD_DONE = 1, RD_EOF = 0, RD_ERROR = -1, RD_TIMEOUT = -2, RD_STOP = -3 };

/* Read until buf holds `want` bytes (*got counts them), never beyond. `stop_ok`: return RD_STOP
 * when the server is stopping (used while waiting between requests). */
static int read_until(int fd, unsigned char *buf, size_t *got, size_t want, int64_t deadline, int stop_ok)
{
    while (*got < want) {
        ssize_t r = read(fd, buf + *got, want - *got);
        if (r > 0) {
            *got += (size_t)r;
            continue;
        }
        if (r == 0)
            return RD_EOF;
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            return RD_ERROR;
        if (stop_ok && stopping)
            return RD_STOP;
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return RD_TIMEOUT;
        struct pollfd pfd = {fd, POLLIN, 0};
        if (poll(&pfd, 1, left > 1000 ? 1000 : (int)left) < 0 && errno != EINTR)
            return RD_ERROR;
    }
    return RD_DONE;
}

/* ---- frames ---- */

static unsigned char out[HEADER_SIZE + 4 * MAX_CHUNK_VALUES];

static int send_error(int fd, uint32_t request_id, unsigned code, const char *fmt, ...)
{
    unsigned char frame[HEADER_SIZE + MAX_ERROR_MESSAGE + 1];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf((char *)frame + HEADER_SIZE, MAX_ERROR_MESSAGE + 1, fmt, ap);
    va_end(ap);
    if (len < 0)
        len = 0;
    if (len > (int)MAX_ERROR_MESSAGE) /* our messages are ASCII: no UTF-8 character to split */
        len = (int)MAX_ERROR_MESSAGE;
    put_header(frame, T_ERROR, request_id);
    put_u16(frame + 12, (uint16_t)code);
    put_u16(frame + 14, (uint16_t)len);
    return write_all(fd, frame, HEADER_SIZE + (size_t)len);
}

struct request {
    uint32_t pid, channel, request_id, flags, count;
    int32_t lo, hi;
    uint64_t seed;
};

static void parse_request(const unsigned char *f, struct request *r)
{
    r->pid = get_u32(f + 8);
    r->channel = get_u32(f + 12);
    r->request_id = get_u32(f + 16);
    r->flags = get_u32(f + 20);
    r->count = get_u32(f + 24);
    r->lo = get_i32(f + 28);
    r->hi = get_i32(f + 32);
    r->seed = (uint64_t)get_u32(f + 36) << 32 | get_u32(f + 40);
}

/* Steps 7-9 of PROTOCOL.md 9.1 on a frame whose magic, version, type, length and CRC are good.
 * Returns 0 if the request may be served, else sends the ERROR and returns its code
 * (or -1 if even that failed). */
static int check_request_values(int fd, const struct request *r)
{
    int code = 0, rc = 0;
    if (r->flags & ~FLAG_SEED)
        rc = send_error(fd, r->request_id, code = E_BAD_FRAME, "unknown request flags 0x%08lx",
                        (unsigned long)r->flags);
    else if (r->count > MAX_COUNT)
        rc = send_error(fd, r->request_id, code = E_COUNT_TOO_LARGE, "count %lu exceeds the limit of %lu",
                        (unsigned long)r->count, (unsigned long)MAX_COUNT);
    else if (r->lo > r->hi)
        rc = send_error(fd, r->request_id, code = E_BAD_RANGE, "range %ld..%ld is empty (lo > hi)",
                        (long)r->lo, (long)r->hi);
    else if (stopping)
        rc = send_error(fd, r->request_id, code = E_SHUTTING_DOWN, "the server is shutting down");
    return rc < 0 ? -1 : code;
}

/* Send CHUNK frames and the END frame. 0 ok, -1 the reply was abandoned. */
static int serve_request(int fd, const struct request *r, uint64_t t_start)
{
    uint64_t generation_ns = 0;
    rng_seed((r->flags & FLAG_SEED) ? r->seed : fresh_seed());
    for (uint32_t remaining = r->count; remaining > 0;) {
        uint32_t n = remaining < MAX_CHUNK_VALUES ? remaining : MAX_CHUNK_VALUES;
        uint64_t g0 = now_ns();
        put_header(out, T_CHUNK, r->request_id);
        put_u32(out + 12, n);
        for (uint32_t i = 0; i < n; i++)
            put_u32(out + HEADER_SIZE + 4 * (size_t)i, (uint32_t)rng_range(r->lo, r->hi));
        generation_ns += now_ns() - g0;
        if (write_all(fd, out, HEADER_SIZE + 4 * (size_t)n) != 0)
            return -1;
        remaining -= n;
    }
    unsigned char end[END_SIZE];
    put_header(end, T_END, r->request_id);
    put_u32(end + 12, r->count);
    put_u32(end + 16, server_pid);
    put_u32(end + 20, 0);
    put_u64(end + 24, generation_ns);
    put_u64(end + 32, now_ns() - t_start);
    return write_all(fd, end, END_SIZE);
}

/* ---- sockets (TCP and Unix): one connection, many sequential requests ---- */

static void serve_connection(int fd)
{
    unsigned char f[REQUEST_SIZE];
    if (set_nonblocking(fd) != 0)
        return;
    for (;;) {
        size_t got = 0;
        /* PROTOCOL.md 9.1, checking the prefix early (as that section allows).
         * Step 1: wait for the first byte (idle timeout; closing silently when stopping). */
        int rc = read_until(fd, f, &got, 1, now_ms() + IDLE_TIMEOUT_MS, 1);
        if (rc != RD_DONE)
            return;
        /* Step 2, first part: the prefix, within the half-sent timeout from the first byte. */
        int64_t half = now_ms() + HALF_SENT_TIMEOUT_MS;
        rc = read_until(fd, f, &got, 8, half, 0);
        if (rc == RD_TIMEOUT)
            send_error(fd, 0, E_TIMEOUT, "request incomplete after %d ms", HALF_SENT_TIMEOUT_MS);
        if (rc != RD_DONE)
            return;
        /* Step 3: magic. */
        if (memcmp(f, "IPCL", 4) != 0) {
            send_error(fd, 0, E_BAD_MAGIC, "bad magic, expected \"IPCL\"");
            return;
        }
        /* Step 4: version. Bytes 0..19 are stable across versions: answer with its request_id. */
        if (f[4] != PROTO_VERSION) {
            rc = read_until(fd, f, &got, 20, half, 0);
            send_error(fd, rc == RD_DONE ? get_u32(f + 16) : 0, E_UNSUPPORTED_VERSION,
                       "protocol version %u is not supported (this is %u)", f[4], PROTO_VERSION);
            return;
        }
        /* Step 5: type and length. */
        if (f[5] != T_REQUEST || get_u16(f + 6) != REQUEST_SIZE) {
            send_error(fd, 0, E_BAD_FRAME, "expected a %d-byte REQUEST frame, got type %u length %u",
                       REQUEST_SIZE, f[5], get_u16(f + 6));
            return;
        }
        /* Step 2, rest: the whole frame. */
        rc = read_until(fd, f, &got, REQUEST_SIZE, half, 0);
        if (rc == RD_TIMEOUT)
            send_error(fd, got >= 20 ? get_u32(f + 16) : 0, E_TIMEOUT, "request incomplete after %d ms",
                       HALF_SENT_TIMEOUT_MS);
        if (rc != RD_DONE)
            return;
        uint64_t t_start = now_ns();
        struct request r;
        parse_request(f, &r);
        /* Step 6: checksum. */
        if (crc32_ieee(f, 44) != get_u32(f + 44)) {
            send_error(fd, r.request_id, E_BAD_FRAME, "request checksum does not match");
            return;
        }
        /* Steps 7-9: flags, count, range; value errors keep the connection open. */
        int code = check_request_values(fd, &r);
        if (code == E_COUNT_TOO_LARGE || code == E_BAD_RANGE)
            continue;
        if (code != 0)
            return;
        /* Step 10: serve. */
        if (serve_request(fd, &r, t_start) != 0)
            return;
    }
}

static pid_t children[MAX_CLIENTS];
static int nchildren = 0;

static void reap_children(void)
{
    pid_t pid;
    while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
        for (int i = 0; i < nchildren; i++)
            if (children[i] == pid) {
                children[i] = children[--nchildren];
                break;
            }
}

static void serve_socket(int lfd)
{
    while (!stopping) {
        reap_children();
        struct pollfd pfd = {lfd, POLLIN, 0};
        int p = poll(&pfd, 1, 1000);
        if (p <= 0)
            continue; /* timeout, or EINTR from a signal */
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* fails harmlessly on Unix sockets */
        reap_children();
        if (nchildren >= MAX_CLIENTS) {
            set_nonblocking(fd);
            send_error(fd, 0, E_BUSY, "too many clients (limit %d)", MAX_CLIENTS);
            close(fd);
            continue;
        }
        pid_t pid = fork();
        if (pid == 0) {
            close(lfd);
            serve_connection(fd);
            close(fd);
            _exit(0);
        }
        if (pid < 0) {
            set_nonblocking(fd);
            send_error(fd, 0, E_BUSY, "cannot start a worker: %s", strerror(errno));
        } else {
            children[nchildren++] = pid;
        }
        close(fd);
    }
    /* Stopping: ask the workers to finish (they close idle connections at once) and wait. */
    for (int i = 0; i < nchildren; i++)
        kill(children[i], SIGTERM);
    int64_t deadline = now_ms() + WRITE_TIMEOUT_MS + 2000;
    while (nchildren > 0 && now_ms() < deadline) {
        reap_children();
        struct timespec ts = {0, 10000000L};
        nanosleep(&ts, NULL);
    }
    for (int i = 0; i < nchildren; i++)
        kill(children[i], SIGKILL);
    reap_children();
}

/* ---- JSON ready line ---- */

static void print_ready(const char *transport, const char *address)
{
    printf("{\"event\": \"ready\", \"transport\": \"%s\", \"address\": \"", transport);
    for (const unsigned char *p = (const unsigned char *)address; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    printf("\", \"pid\": %lu, \"protocol\": %d}\n", (unsigned long)server_pid, PROTO_VERSION);
    fflush(stdout);
}

/* ---- TCP ---- */

static int listen_tcp(const char *address, char *real, size_t real_size)
{
    char host[256] = "127.0.0.1", port[16];
    const char *colon = strrchr(address, ':');
    const char *portstr = colon ? colon + 1 : address; /* "PORT" alone: 127.0.0.1:PORT */
    if (strlen(portstr) == 0 || strlen(portstr) >= sizeof port)
        die("TCP address must be HOST:PORT (IPv6: [ADDR]:PORT), got \"%s\"", address);
    strcpy(port, portstr);
    if (colon && colon > address) {
        size_t hlen = (size_t)(colon - address);
        const char *h = address;
        if (h[0] == '[') {
            if (hlen < 3 || h[hlen - 1] != ']')
                die("bad IPv6 address \"%s\"", address);
            h++;
            hlen -= 2;
        }
        if (hlen >= sizeof host)
            die("host name too long in \"%s\"", address);
        memcpy(host, h, hlen);
        host[hlen] = '\0';
    }

    struct addrinfo hints, *res, *ai;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0)
        die("cannot resolve %s: %s", address, gai_strerror(rc));
    int fd = -1, err = 0;
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0)
            break;
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        die("cannot listen on %s: %s", address, strerror(err));

    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char ip[INET6_ADDRSTRLEN];
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        die("getsockname: %s", strerror(errno));
    if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
        snprintf(real, real_size, "[%s]:%u", ip, (unsigned)ntohs(s6->sin6_port));
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
        snprintf(real, real_size, "%s:%u", ip, (unsigned)ntohs(s4->sin_port));
    }
    return fd;
}

/* ---- Unix domain socket ---- */

static const char *unix_path = NULL;

static int listen_unix(const char *path)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path)
        die("socket path too long (max %zu bytes): %s", sizeof sa.sun_path - 1, path);
    strcpy(sa.sun_path, path);

    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            die("%s exists and is not a socket", path);
        int probe = socket(AF_UNIX, SOCK_STREAM, 0);
        if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0)
            die("another server is listening on %s", path);
        if (probe >= 0)
            close(probe);
        unlink(path); /* stale socket of a dead server */
    }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket: %s", strerror(errno));
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        die("cannot bind %s: %s", path, strerror(errno));
    unix_path = path;
    if (listen(fd, 64) != 0)
        die("listen: %s", strerror(errno));
    return fd;
}

/* ---- FIFO ---- */

static const char *fifo_dir = NULL;
static char request_path[PATH_MAX];

/* Open DIR/reply-<pid>-<channel>.fifo for writing, with the checks of PROTOCOL.md 11.3.3. */
static int open_reply_fifo(const struct request *r)
{
    char path[PATH_MAX];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/reply-%lu-%lu.fifo", fifo_dir, (unsigned long)r->pid,
                 (unsigned long)r->channel) >= (int)sizeof path)
        return -1;
    if (lstat(path, &st) != 0 || !S_ISFIFO(st.st_mode) || st.st_uid != geteuid())
        return -1;
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0)
        return -1; /* ENXIO: nobody reading, the client is gone */
    if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode) || st.st_uid != geteuid()) {
        close(fd);
        return -1;
    }
    return fd;
}

static void answer_fifo_request(const unsigned char *f)
{
    uint64_t t_start = now_ns();
    struct request r;
    parse_request(f, &r);
    int fd = open_reply_fifo(&r);
    if (fd < 0)
        return;
    if (check_request_values(fd, &r) == 0)
        serve_request(fd, &r, t_start);
    close(fd);
}

static void remove_fifo_dir(void)
{
    unlink(request_path);
    DIR *d = opendir(fifo_dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            size_t n = strlen(e->d_name);
            char path[PATH_MAX];
            struct stat st;
            if (strncmp(e->d_name, "reply-", 6) != 0 || n < 11 || strcmp(e->d_name + n - 5, ".fifo") != 0)
                continue;
            if (snprintf(path, sizeof path, "%s/%s", fifo_dir, e->d_name) >= (int)sizeof path)
                continue;
            if (lstat(path, &st) == 0 && S_ISFIFO(st.st_mode) && st.st_uid == geteuid())
                unlink(path); /* a client's leftover */
        }
        closedir(d);
    }
    rmdir(fifo_dir);
}

static void setup_fifo_dir(const char *dir)
{
    struct stat st;
    fifo_dir = dir;
    if (snprintf(request_path, sizeof request_path, "%s/request.fifo", dir) >= (int)sizeof request_path)
        die("directory path too long: %s", dir);
    if (mkdir(dir, 0700) != 0) {
        if (errno != EEXIST)
            die("cannot create %s: %s", dir, strerror(errno));
        if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
            die("%s exists and is not a directory owned by this user", dir);
        if (chmod(dir, 0700) != 0)
            die("chmod %s: %s", dir, strerror(errno));
    }
    if (lstat(request_path, &st) == 0) {
        if (!S_ISFIFO(st.st_mode))
            die("%s exists and is not a FIFO", request_path);
        int probe = open(request_path, O_WRONLY | O_NONBLOCK);
        if (probe >= 0)
            die("another server is reading %s", request_path);
        unlink(request_path); /* stale: nobody reads it */
    }
    if (mkfifo(request_path, 0600) != 0)
        die("cannot create %s: %s", request_path, strerror(errno));
}

static unsigned char inbuf[64 * 1024];

static void serve_fifo(const char *address)
{
    /* Our own write descriptor keeps the FIFO from reporting end-of-file between clients. */
    int rfd = open(request_path, O_RDONLY | O_NONBLOCK);
    if (rfd < 0)
        die("cannot open %s: %s", request_path, strerror(errno));
    int keep = open(request_path, O_WRONLY | O_NONBLOCK);
    if (keep < 0)
        die("cannot open %s for writing: %s", request_path, strerror(errno));
    print_ready("fifo", address); /* only now can a client's open() find a reader */

    size_t len = 0;          /* bytes in inbuf */
    int partial = 0;         /* inbuf starts with an incomplete frame... */
    int64_t partial_since = 0; /* ...whose first byte was read at this time */
    while (!stopping) {
        int timeout = 1000;
        if (partial) {
            int64_t left = partial_since + HALF_SENT_TIMEOUT_MS - now_ms();
            if (left <= 0) {
                len = 0; /* half-sent for too long: discard (PROTOCOL.md 11.3.5, step 3) */
                partial = 0;
                continue;
            }
            if (left < timeout)
                timeout = (int)left;
        }
        struct pollfd pfd = {rfd, POLLIN, 0};
        if (poll(&pfd, 1, timeout) <= 0)
            continue;
        ssize_t r = read(rfd, inbuf + len, sizeof inbuf - len);
        if (r <= 0)
            continue;
        len += (size_t)r;

        /* Resynchronising scan (PROTOCOL.md 11.3.5). */
        size_t pos = 0;
        for (;;) {
            size_t avail = len - pos;
            size_t i = pos;
            while (i + 4 <= len && memcmp(inbuf + i, "IPCL", 4) != 0)
                i++;
            if (i + 4 > len) { /* no magic: keep at most the last 3 bytes */
                pos = len >= 3 && len - 3 > pos ? len - 3 : pos;
                break;
            }
            if (i != pos)
                partial = 0;
            pos = i;
            avail = len - pos;
            if (avail < REQUEST_SIZE)
                break;
            const unsigned char *f = inbuf + pos;
            if (f[4] != PROTO_VERSION || f[5] != T_REQUEST || get_u16(f + 6) != REQUEST_SIZE ||
                crc32_ieee(f, 44) != get_u32(f + 44)) {
                pos += 1; /* garbage: skip one byte and look for the next magic */
                partial = 0;
                continue;
            }
            answer_fifo_request(f);
            pos += REQUEST_SIZE;
            partial = 0;
        }
        if (pos > 0) {
            memmove(inbuf, inbuf + pos, len - pos);
            len -= pos;
            partial = 0;
        }
        if (len > 0 && !partial) {
            partial = 1;
            partial_since = now_ms();
        } else if (len == 0) {
            partial = 0;
        }
    }
    close(keep);
    close(rfd);
}

/* ---- main ---- */

static void on_stop(int sig)
{
    (void)sig;
    stopping = 1;
}

static void usage(void)
{
    fprintf(stderr, "usage: ipclab_server tcp  HOST:PORT   (port 0: any free port)\n"
                    "       ipclab_server unix PATH\n"
                    "       ipclab_server fifo DIR\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        usage();
    const char *transport = argv[1], *address = argv[2];
    server_pid = (uint32_t)getpid();

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = on_stop; /* no SA_RESTART: poll() returns EINTR and the loops see `stopping` */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    if (strcmp(transport, "tcp") == 0) {
        char real[INET6_ADDRSTRLEN + 16];
        int lfd = listen_tcp(address, real, sizeof real);
        print_ready("tcp", real);
        serve_socket(lfd);
        close(lfd);
    } else if (strcmp(transport, "unix") == 0) {
        int lfd = listen_unix(address);
        print_ready("unix", address);
        serve_socket(lfd);
        close(lfd);
        unlink(unix_path);
    } else if (strcmp(transport, "fifo") == 0) {
        setup_fifo_dir(address);
        serve_fifo(address);
        remove_fifo_dir();
    } else {
        usage();
    }
    return 0;
}
