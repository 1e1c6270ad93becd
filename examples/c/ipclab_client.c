/*
 * ipclab_client.c - reference IPC Lab client, protocol version 1 (see docs/PROTOCOL.md).
 *
 * Plain POSIX C99, no dependencies beyond libc.
 *
 *   ipclab_client tcp  HOST:PORT [count [lo hi]]
 *   ipclab_client unix PATH      [count [lo hi]]
 *   ipclab_client fifo DIR       [count [lo hi]]
 *
 * Sends one request for `count` random integers in lo..hi (default: count random in 1..10,
 * range 1..10, as in the classic exercise) and prints the client pid, the numbers and the server
 * pid. Exit status: 0 success, 1 the server answered with an ERROR frame, 2 usage, 3 I/O or
 * protocol error.
 */
#define _POSIX_C_SOURCE 200809L

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
#include <time.h>
#include <unistd.h>

/* ---- protocol constants (docs/PROTOCOL.md, sections 3 and 5) ---- */
#define PROTO_VERSION 1
#define T_REQUEST 1
#define T_CHUNK 2
#define T_END 3
#define T_ERROR 4
#define REQUEST_SIZE 48
#define REPLY_HEADER_SIZE 16
#define END_SIZE 40
#define MAX_CHUNK_VALUES 262144u
#define MAX_ERROR_MESSAGE 1024u

#define EXIT_SERVER_ERROR 1
#define EXIT_USAGE 2
#define EXIT_IO 3

#define NO_PROGRESS_TIMEOUT_MS 30000 /* give up after 30 s without a byte from the server */

static const char *const error_names[] = {
    NULL, "BAD_MAGIC", "UNSUPPORTED_VERSION", "BAD_FRAME", "COUNT_TOO_LARGE",
    "BAD_RANGE", "BUSY", "TIMEOUT", "INTERNAL", "SHUTTING_DOWN",
};

/* ---- small helpers ---- */

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

static uint64_t get_u64(const unsigned char *p) { return (uint64_t)get_u32(p) << 32 | get_u32(p + 4); }

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

static void encode_request(unsigned char out[REQUEST_SIZE], uint32_t pid, uint32_t channel,
                           uint32_t request_id, uint32_t count, int32_t lo, int32_t hi)
{
    memcpy(out, "IPCL", 4);
    out[4] = PROTO_VERSION;
    out[5] = T_REQUEST;
    put_u16(out + 6, REQUEST_SIZE);
    put_u32(out + 8, pid);
    put_u32(out + 12, channel);
    put_u32(out + 16, request_id);
    put_u32(out + 20, 0); /* flags: no seed */
    put_u32(out + 24, count);
    put_u32(out + 28, (uint32_t)lo);
    put_u32(out + 32, (uint32_t)hi);
    put_u32(out + 36, 0); /* seed (unused) */
    put_u32(out + 40, 0);
    put_u32(out + 44, crc32_ieee(out, 44));
}

static void fail(int status, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("ipclab_client: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(status);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

/* ---- FIFO reply path, removed on exit and on SIGINT/SIGTERM/SIGHUP ---- */

static char reply_path[PATH_MAX];
static volatile sig_atomic_t reply_fifo_made = 0;

static void remove_reply_fifo(void)
{
    if (reply_fifo_made) {
        reply_fifo_made = 0;
        unlink(reply_path);
    }
}

static void on_signal(int sig)
{
    if (reply_fifo_made)
        unlink(reply_path);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* ---- reading with a no-progress timeout ---- */

struct conn {
    int fd;
    int is_fifo;
    uint64_t reply_bytes; /* bytes of the current reply received so far */
    int request_fd;       /* FIFO: request.fifo, kept open to notice a dead server (else -1) */
    int server_gone;      /* FIFO: request.fifo reported POLLERR: nobody reads it any more */
};

/* poll() the reply descriptor, and on a FIFO request.fifo too (events 0: POLLERR means no reader
 * is left, i.e. the server is gone; PROTOCOL.md 11.3.2 step 4). Returns poll()'s result. */
static int wait_readable(struct conn *c, int timeout_ms, short *revents)
{
    struct pollfd pfd[2] = {{c->fd, POLLIN, 0}, {c->request_fd, 0, 0}};
    int p = poll(pfd, c->request_fd >= 0 ? 2 : 1, timeout_ms);
    if (p > 0 && c->request_fd >= 0 && (pfd[1].revents & (POLLERR | POLLHUP)))
        c->server_gone = 1;
    *revents = pfd[0].revents;
    return p;
}

/* Read exactly n bytes from a non-blocking descriptor; any failure is fatal. */
static void read_exact(struct conn *c, unsigned char *buf, size_t n)
{
    size_t got = 0;
    long waited_ms = 0;
    while (got < n) {
        ssize_t r = read(c->fd, buf + got, n - got);
        if (r > 0) {
            got += (size_t)r;
            c->reply_bytes += (uint64_t)r;
            waited_ms = 0;
            continue;
        }
        if (r == 0) {
            if (c->is_fifo && c->reply_bytes == 0) {
                /* No writer yet: the server has not opened our reply FIFO (PROTOCOL.md 11.3.2). */
                if (c->server_gone)
                    fail(EXIT_IO, "the server is gone (nobody reads its request FIFO)");
                if (waited_ms >= NO_PROGRESS_TIMEOUT_MS)
                    fail(EXIT_IO, "timed out waiting for the server's reply");
                /* Linux's poll() blocks here until a writer arrives; systems that report
                 * POLLHUP for a writer-less FIFO return at once, so pause briefly then. */
                short revents = 0;
                int p = wait_readable(c, 100, &revents);
                if (p == 0) {
                    waited_ms += 100;
                } else if (p < 0 || !(revents & POLLIN)) {
                    sleep_ms(1);
                    waited_ms += 1;
                }
                continue;
            }
            fail(EXIT_IO, "the server closed the %s before the reply was complete",
                 c->is_fifo ? "reply FIFO" : "connection");
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            fail(EXIT_IO, "read: %s", strerror(errno));
        if (c->server_gone) /* and nothing is left to read */
            fail(EXIT_IO, "the server is gone (nobody reads its request FIFO)");
        short revents = 0;
        int p = wait_readable(c, 1000, &revents);
        if (p < 0 && errno != EINTR)
            fail(EXIT_IO, "poll: %s", strerror(errno));
        if (p == 0 && (waited_ms += 1000) >= NO_PROGRESS_TIMEOUT_MS)
            fail(EXIT_IO, "timed out waiting for the server's reply");
    }
}

static void write_all(int fd, const unsigned char *buf, size_t n)
{
    size_t done = 0;
    long waited_ms = 0;
    while (done < n) {
        ssize_t w = write(fd, buf + done, n - done);
        if (w > 0) {
            done += (size_t)w;
            waited_ms = 0;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            fail(EXIT_IO, "write: %s", strerror(errno));
        struct pollfd pfd = {fd, POLLOUT, 0};
        int p = poll(&pfd, 1, 1000);
        if (p < 0 && errno != EINTR)
            fail(EXIT_IO, "poll: %s", strerror(errno));
        if (p == 0 && (waited_ms += 1000) >= NO_PROGRESS_TIMEOUT_MS)
            fail(EXIT_IO, "timed out sending the request");
    }
}

static void set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        fail(EXIT_IO, "fcntl: %s", strerror(errno));
}

/* ---- receiving the reply (PROTOCOL.md 3.5 and 7.3) ---- */

static unsigned char frame[REPLY_HEADER_SIZE + 4 * MAX_CHUNK_VALUES];

/* Returns 0 on success (END), or the exit status for an ERROR frame. */
static int receive_reply(struct conn *c, uint32_t request_id, uint32_t count, int32_t lo, int32_t hi)
{
    uint64_t received = 0;
    c->reply_bytes = 0;
    int started = 0; /* "numbers:" printed */
    for (;;) {
        read_exact(c, frame, REPLY_HEADER_SIZE);
        if (memcmp(frame, "IPCL", 4) != 0)
            fail(EXIT_IO, "protocol error: reply frame has a bad magic");
        if (frame[4] != PROTO_VERSION)
            fail(EXIT_IO, "protocol error: reply frame has version %u", frame[4]);
        uint32_t rid = get_u32(frame + 8);
        switch (frame[5]) {
        case T_CHUNK: {
            uint32_t n = get_u32(frame + 12);
            if (n < 1 || n > MAX_CHUNK_VALUES)
                fail(EXIT_IO, "protocol error: CHUNK of %lu values", (unsigned long)n);
            if (rid != request_id)
                fail(EXIT_IO, "protocol error: CHUNK for request %lu, expected %lu",
                     (unsigned long)rid, (unsigned long)request_id);
            if (received + n > count)
                fail(EXIT_IO, "protocol error: more values than the %lu requested", (unsigned long)count);
            read_exact(c, frame + REPLY_HEADER_SIZE, 4 * (size_t)n);
            if (!started) {
                started = 1;
                printf("numbers:");
            }
            for (uint32_t i = 0; i < n; i++) {
                int32_t v = get_i32(frame + REPLY_HEADER_SIZE + 4 * (size_t)i);
                if (v < lo || v > hi)
                    fail(EXIT_IO, "protocol error: value %ld outside %ld..%ld", (long)v, (long)lo, (long)hi);
                printf(" %ld", (long)v);
            }
            received += n;
            break;
        }
        case T_END: {
            read_exact(c, frame + REPLY_HEADER_SIZE, END_SIZE - REPLY_HEADER_SIZE);
            uint32_t total = get_u32(frame + 12);
            if (rid != request_id)
                fail(EXIT_IO, "protocol error: END for request %lu, expected %lu",
                     (unsigned long)rid, (unsigned long)request_id);
            if (total != count || received != count)
                fail(EXIT_IO, "protocol error: END says %lu values, received %llu, requested %lu",
                     (unsigned long)total, (unsigned long long)received, (unsigned long)count);
            printf("%s\nserver pid: %lu\n", started ? "" : "numbers:", (unsigned long)get_u32(frame + 16));
            printf("generation: %llu ns, service: %llu ns\n",
                   (unsigned long long)get_u64(frame + 24), (unsigned long long)get_u64(frame + 32));
            fflush(stdout);
            return 0;
        }
        case T_ERROR: {
            uint16_t code = get_u16(frame + 12);
            uint16_t len = get_u16(frame + 14);
            if (len > MAX_ERROR_MESSAGE)
                fail(EXIT_IO, "protocol error: ERROR message of %u bytes", len);
            read_exact(c, frame + REPLY_HEADER_SIZE, len);
            char name[32];
            if (code < sizeof error_names / sizeof error_names[0] && error_names[code])
                snprintf(name, sizeof name, "%s", error_names[code]);
            else
                snprintf(name, sizeof name, "ERROR_%u", code);
            /* Replace control characters so a hostile message cannot drive the terminal. */
            for (size_t i = 0; i < len; i++)
                if (frame[REPLY_HEADER_SIZE + i] < 0x20 || frame[REPLY_HEADER_SIZE + i] == 0x7f)
                    frame[REPLY_HEADER_SIZE + i] = '?';
            if (started)
                printf("\n");
            fflush(stdout);
            fprintf(stderr, "ipclab_client: server error %u %s (request %lu): %.*s\n", code, name,
                    (unsigned long)rid, (int)len, (const char *)(frame + REPLY_HEADER_SIZE));
            return EXIT_SERVER_ERROR;
        }
        default:
            fail(EXIT_IO, "protocol error: unexpected reply frame type %u", frame[5]);
        }
    }
}

/* ---- transports ---- */

static int connect_tcp(const char *address)
{
    char host[256], port[16];
    const char *colon = strrchr(address, ':');
    if (!colon || colon == address || strlen(colon + 1) == 0 || strlen(colon + 1) >= sizeof port)
        fail(EXIT_USAGE, "TCP address must be HOST:PORT (IPv6: [ADDR]:PORT), got \"%s\"", address);
    size_t hlen = (size_t)(colon - address);
    const char *h = address;
    if (h[0] == '[') {
        if (hlen < 2 || h[hlen - 1] != ']')
            fail(EXIT_USAGE, "bad IPv6 address \"%s\"", address);
        h++;
        hlen -= 2;
    }
    if (hlen == 0 || hlen >= sizeof host)
        fail(EXIT_USAGE, "bad host in \"%s\"", address);
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    strcpy(port, colon + 1);

    struct addrinfo hints, *res, *ai;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0)
        fail(EXIT_IO, "cannot resolve %s: %s", address, gai_strerror(rc));
    int fd = -1, err = 0;
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        fail(EXIT_IO, "cannot connect to %s: %s", address, strerror(err));
    /* With nobody listening on a local ephemeral port, TCP "simultaneous open" can connect a
     * socket to itself (PROTOCOL.md 11.1): we would read back our own request. */
    struct sockaddr_storage local, peer;
    socklen_t llen = sizeof local, plen = sizeof peer;
    memset(&local, 0, sizeof local);
    memset(&peer, 0, sizeof peer);
    if (getsockname(fd, (struct sockaddr *)&local, &llen) == 0 &&
        getpeername(fd, (struct sockaddr *)&peer, &plen) == 0 && llen == plen && memcmp(&local, &peer, llen) == 0)
        fail(EXIT_IO, "cannot connect to %s: %s", address, strerror(ECONNREFUSED));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int connect_unix(const char *path)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path)
        fail(EXIT_USAGE, "socket path too long (max %zu bytes): %s", sizeof sa.sun_path - 1, path);
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        fail(EXIT_IO, "socket: %s", strerror(errno));
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        fail(EXIT_IO, "cannot connect to %s: %s", path, strerror(errno));
    return fd;
}

static int run_socket(int fd, const unsigned char *req, uint32_t rid, uint32_t count, int32_t lo, int32_t hi)
{
    struct conn c = {fd, 0, 0, -1, 0};
    set_nonblocking(fd);
    write_all(fd, req, REQUEST_SIZE);
    int status = receive_reply(&c, rid, count, lo, hi);
    close(fd);
    return status;
}

static int run_fifo(const char *dir, uint32_t pid, uint32_t channel, const unsigned char *req,
                    uint32_t rid, uint32_t count, int32_t lo, int32_t hi)
{
    char request_path[PATH_MAX];
    if (snprintf(request_path, sizeof request_path, "%s/request.fifo", dir) >= (int)sizeof request_path ||
        snprintf(reply_path, sizeof reply_path, "%s/reply-%lu-%lu.fifo", dir, (unsigned long)pid,
                 (unsigned long)channel) >= (int)sizeof reply_path)
        fail(EXIT_USAGE, "FIFO directory path too long: %s", dir);

    /* 1. Create our reply FIFO (replacing a leftover of a dead process with the same pid). */
    if (mkfifo(reply_path, 0600) != 0) {
        if (errno != EEXIST || unlink(reply_path) != 0 || mkfifo(reply_path, 0600) != 0)
            fail(EXIT_IO, "cannot create %s: %s", reply_path, strerror(errno));
    }
    reply_fifo_made = 1;
    atexit(remove_reply_fifo);

    /* 2. Open its read end BEFORE sending, so that the server's O_NONBLOCK open succeeds. */
    int rfd = open(reply_path, O_RDONLY | O_NONBLOCK);
    if (rfd < 0)
        fail(EXIT_IO, "cannot open %s: %s", reply_path, strerror(errno));

    /* 3. One atomic write() of the 48-byte request to the well-known request FIFO. */
    int qfd = open(request_path, O_WRONLY | O_NONBLOCK);
    if (qfd < 0) {
        if (errno == ENXIO)
            fail(EXIT_IO, "no server is reading %s", request_path);
        fail(EXIT_IO, "cannot open %s: %s", request_path, strerror(errno));
    }
    struct stat st;
    if (fstat(qfd, &st) != 0 || !S_ISFIFO(st.st_mode))
        fail(EXIT_IO, "%s is not a FIFO", request_path);
    for (long waited = 0;; waited++) {
        ssize_t w = write(qfd, req, REQUEST_SIZE);
        if (w == REQUEST_SIZE)
            break;
        if (w >= 0)
            fail(EXIT_IO, "short write of the request (%ld bytes)", (long)w); /* cannot happen: atomic */
        if (errno == EPIPE)
            fail(EXIT_IO, "the server closed %s", request_path);
        if (errno != EAGAIN && errno != EINTR)
            fail(EXIT_IO, "write to %s: %s", request_path, strerror(errno));
        if (waited >= NO_PROGRESS_TIMEOUT_MS)
            fail(EXIT_IO, "timed out: %s stays full", request_path);
        sleep_ms(1);
    }
    /* 4. Read the reply until END or ERROR, with request.fifo still open to notice a dead server;
     * 5. close the read end; 6. remove the FIFO. This client makes one request per process and
     * removes its reply FIFO on every exit path, failures included, so it never reads a reply
     * FIFO that may hold the rest of an abandoned reply (the recovery rule of 11.3.2). */
    struct conn c = {rfd, 1, 0, qfd, 0};
    int status = receive_reply(&c, rid, count, lo, hi);
    close(qfd);
    close(rfd);
    remove_reply_fifo();
    return status;
}

/* ---- command line ---- */

static void usage(void)
{
    fprintf(stderr,
            "usage: ipclab_client tcp  HOST:PORT [count [lo hi]]\n"
            "       ipclab_client unix PATH      [count [lo hi]]\n"
            "       ipclab_client fifo DIR       [count [lo hi]]\n"
            "Defaults: count random in 1..10, range 1..10.\n");
    exit(EXIT_USAGE);
}

static long long parse_int(const char *s, long long min, long long max, const char *what)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        fail(EXIT_USAGE, "%s must be an integer in %lld..%lld, got \"%s\"", what, min, max, s);
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4 && argc != 6)
        usage();
    const char *transport = argv[1], *address = argv[2];
    uint32_t pid = (uint32_t)getpid(), channel = 0, request_id = 1;
    int32_t lo = 1, hi = 10;
    uint32_t count;

    srand((unsigned)time(NULL) ^ (unsigned)pid);
    /* The server, not the client, judges count against MAX_COUNT and lo <= hi. */
    count = argc >= 4 ? (uint32_t)parse_int(argv[3], 0, UINT32_MAX, "count") : (uint32_t)(1 + rand() % 10);
    if (argc == 6) {
        lo = (int32_t)parse_int(argv[4], INT32_MIN, INT32_MAX, "lo");
        hi = (int32_t)parse_int(argv[5], INT32_MIN, INT32_MAX, "hi");
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    unsigned char req[REQUEST_SIZE];
    encode_request(req, pid, channel, request_id, count, lo, hi);

    int status;
    if (strcmp(transport, "tcp") == 0 || strcmp(transport, "unix") == 0) {
        int fd = transport[0] == 't' ? connect_tcp(address) : connect_unix(address);
        printf("client pid: %lu\n", (unsigned long)pid);
        status = run_socket(fd, req, request_id, count, lo, hi);
    } else if (strcmp(transport, "fifo") == 0) {
        printf("client pid: %lu\n", (unsigned long)pid);
        status = run_fifo(address, pid, channel, req, request_id, count, lo, hi);
    } else {
        usage();
        return EXIT_USAGE;
    }
    if (fflush(stdout) != 0)
        fail(EXIT_IO, "writing output: %s", strerror(errno));
    return status;
}
