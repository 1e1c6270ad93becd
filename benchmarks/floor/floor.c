/* floor.c - the C floor for IPC Lab's work: the same exchanges, done as simply and as fast as C
 * and POSIX allow, so that IPC Lab's figures can be compared with what the machine can do.
 *
 * It speaks IPC Lab protocol version 1 (docs/PROTOCOL.md) for real: 48-byte requests with a
 * CRC-32, CHUNK frames of at most 262144 big-endian int32 values, a 40-byte END. So a floor
 * client can talk to an ipclab server and an ipclab client to a floor server (-s / -a below),
 * which separates client-side from server-side overhead.
 *
 *   floor pingpong TRANSPORT [-n N] [-r REQUESTS] [-c CLIENTS] [-w WARMUP]
 *       CLIENTS client processes (default 1) each do their share of REQUESTS exchanges of
 *       N values (default 10) in 1..10; prints the round-trip distribution and exchanges/s.
 *   floor bulk TRANSPORT [-n N] [-k REPETITIONS]
 *       one client asks for N values (default 10^7), the server generates and sends them in
 *       1 MiB chunks; repeated K times (default 5); prints numbers/s and MB/s (best, median).
 *   -s ADDRESS   only serve at ADDRESS (fifo: a directory; tcp: HOST:PORT; unix: a path),
 *                print a ready line, serve until killed.
 *   -a ADDRESS   only be the client(s), of a server already at ADDRESS.
 *   -V           clients count the values they receive (a histogram, like ipclab bench does).
 *   -S CPU, -C CPU   pin the server / the clients to one CPU (Linux; for placement experiments).
 *
 * TRANSPORT is fifo (a request FIFO plus one reply FIFO per client, in a private directory;
 * the reply FIFO is grown to 1 MiB with F_SETPIPE_SZ), tcp (127.0.0.1, TCP_NODELAY) or unix
 * (stream socket). The server is forked from the driver: a socket server forks one process per
 * connection; the FIFO server is one process reading the request FIFO. Each measurement prints
 * one JSON object on stdout.
 *
 * Build: cc -O2 -o floor floor.c        (C99 + POSIX; Linux for F_SETPIPE_SZ)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REQUEST_SIZE 48
#define HEADER_SIZE 16
#define END_SIZE 40
#define MAX_CHUNK 262144u
#define PIPE_BIG (1 << 20)
#define LO 1
#define HI 10

enum { T_FIFO, T_TCP, T_UNIX };
static const char *transport_names[] = { "fifo", "tcp", "unix" };

static void die(const char *what)
{
    fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
    exit(2);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int server_cpu = -1, client_cpu = -1;  /* -S / -C: pin one side to a CPU (Linux) */

static void pin(int cpu)
{
#ifdef __linux__
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) < 0) die("sched_setaffinity");
    }
#else
    (void)cpu;
#endif
}

/* ---- protocol ------------------------------------------------------------------------------ */

static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
        crc_table[i] = c;
    }
}

static uint32_t crc32_ieee(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    while (n--)
        crc = crc_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = (v >> 16) & 0xFF; p[2] = (v >> 8) & 0xFF; p[3] = v & 0xFF;
}

static void put_u64(unsigned char *p, uint64_t v)
{
    put_u32(p, (uint32_t)(v >> 32));
    put_u32(p + 4, (uint32_t)v);
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void encode_request(unsigned char *out, uint32_t pid, uint32_t channel, uint32_t id, uint32_t count)
{
    memset(out, 0, REQUEST_SIZE);
    memcpy(out, "IPCL", 4);
    out[4] = 1; out[5] = 1; out[6] = 0; out[7] = REQUEST_SIZE;
    put_u32(out + 8, pid);
    put_u32(out + 12, channel);
    put_u32(out + 16, id);
    put_u32(out + 24, count);
    put_u32(out + 28, (uint32_t)LO);
    put_u32(out + 32, (uint32_t)HI);
    put_u32(out + 44, crc32_ieee(out, 44));
}

static void chunk_header(unsigned char *p, uint32_t id, uint32_t count)
{
    memcpy(p, "IPCL", 4);
    p[4] = 1; p[5] = 2; p[6] = 0; p[7] = 0;
    put_u32(p + 8, id);
    put_u32(p + 12, count);
}

static void end_frame(unsigned char *p, uint32_t id, uint32_t count, uint64_t gen_ns, uint64_t service_ns)
{
    memcpy(p, "IPCL", 4);
    p[4] = 1; p[5] = 3; p[6] = 0; p[7] = 0;
    put_u32(p + 8, id);
    put_u32(p + 12, count);
    put_u32(p + 16, (uint32_t)getpid());
    put_u32(p + 20, 0);
    put_u64(p + 24, gen_ns);
    put_u64(p + 32, service_ns);
}

/* Four interleaved xorshift64* streams, two values from each 64-bit output, mapped to lo..hi by
 * Lemire's multiply-shift (the bias is below span/2^32: 2e-9 for 1..10). ~0.75 ns per value. */
static uint64_t rng_state[4];

static void rng_seed(void)
{
    uint64_t z = now_ns() ^ ((uint64_t)getpid() << 32);
    for (int i = 0; i < 4; i++) {  /* splitmix64 */
        z += 0x9E3779B97F4A7C15ull;
        uint64_t x = z;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
        rng_state[i] = (x ^ (x >> 31)) | 1;
    }
}

static inline uint64_t rng_step(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

#define MAP(r32) htonl((uint32_t)(lo + (int64_t)(((uint64_t)(r32) * span) >> 32)))

static void generate(unsigned char *out, uint32_t count, int32_t lo, int32_t hi)
{
    uint64_t span = (uint64_t)((int64_t)hi - lo + 1);
    uint64_t a = rng_state[0], b = rng_state[1], c = rng_state[2], d = rng_state[3];
    uint32_t *w = (uint32_t *)out, i = 0;
    for (; i + 8 <= count; i += 8) {
        uint64_t r0 = rng_step(&a), r1 = rng_step(&b), r2 = rng_step(&c), r3 = rng_step(&d);
        w[i] = MAP(r0 >> 32); w[i + 1] = MAP(r0 & 0xFFFFFFFFu);
        w[i + 2] = MAP(r1 >> 32); w[i + 3] = MAP(r1 & 0xFFFFFFFFu);
        w[i + 4] = MAP(r2 >> 32); w[i + 5] = MAP(r2 & 0xFFFFFFFFu);
        w[i + 6] = MAP(r3 >> 32); w[i + 7] = MAP(r3 & 0xFFFFFFFFu);
    }
    for (; i < count; i++) w[i] = MAP(rng_step(&a) >> 32);
    rng_state[0] = a; rng_state[1] = b; rng_state[2] = c; rng_state[3] = d;
}

/* ---- I/O ----------------------------------------------------------------------------------- */

static int read_full(int fd, void *buf, size_t n)
{
    unsigned char *p = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r > 0) { got += (size_t)r; continue; }
        if (r == 0) return got == 0 ? 0 : -1;
        if (errno != EINTR) return -1;
    }
    return 1;
}

static int write_full(int fd, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w > 0) { p += w; n -= (size_t)w; continue; }
        if (w < 0 && errno == EINTR) continue;
        return -1;
    }
    return 0;
}

/* ---- addresses ----------------------------------------------------------------------------- */

struct address {
    int transport;
    char path[256];              /* fifo directory or unix socket path */
    struct sockaddr_in in;       /* tcp */
};

static int parse_address(int transport, const char *text, struct address *a)
{
    memset(a, 0, sizeof *a);
    a->transport = transport;
    if (transport == T_TCP) {
        char host[64];
        const char *colon = strrchr(text, ':');
        if (!colon || colon - text >= (long)sizeof host) return -1;
        memcpy(host, text, (size_t)(colon - text));
        host[colon - text] = 0;
        a->in.sin_family = AF_INET;
        a->in.sin_port = htons((uint16_t)atoi(colon + 1));
        return inet_pton(AF_INET, host, &a->in.sin_addr) == 1 ? 0 : -1;
    }
    if (strlen(text) >= (transport == T_UNIX ? sizeof(((struct sockaddr_un *)0)->sun_path) : sizeof a->path - 40))
        return -1;
    strcpy(a->path, text);
    return 0;
}

static void format_address(const struct address *a, char *out, size_t n)
{
    if (a->transport == T_TCP) {
        char host[32];
        inet_ntop(AF_INET, &a->in.sin_addr, host, sizeof host);
        snprintf(out, n, "%s:%d", host, ntohs(a->in.sin_port));
    } else {
        snprintf(out, n, "%s", a->path);
    }
}

/* ---- server -------------------------------------------------------------------------------- */

static unsigned char *server_buffer;   /* 16 + 4 * MAX_CHUNK + 40 bytes */

/* Serve one request (already checked) on fd: one write for a reply of one chunk. */
static int serve_request(int fd, const unsigned char *req)
{
    uint64_t start = now_ns();
    uint32_t id = get_u32(req + 16), count = get_u32(req + 24);
    int32_t lo = (int32_t)get_u32(req + 28), hi = (int32_t)get_u32(req + 32);
    uint64_t gen = 0;
    if (count <= MAX_CHUNK) {
        size_t size = 0;
        if (count) {
            uint64_t g = now_ns();
            generate(server_buffer + HEADER_SIZE, count, lo, hi);
            gen = now_ns() - g;
            chunk_header(server_buffer, id, count);
            size = HEADER_SIZE + 4 * (size_t)count;
        }
        end_frame(server_buffer + size, id, count, gen, now_ns() - start);
        return write_full(fd, server_buffer, size + END_SIZE);
    }
    for (uint32_t left = count; left;) {
        uint32_t k = left < MAX_CHUNK ? left : MAX_CHUNK;
        uint64_t g = now_ns();
        generate(server_buffer + HEADER_SIZE, k, lo, hi);
        gen += now_ns() - g;
        chunk_header(server_buffer, id, k);
        if (write_full(fd, server_buffer, HEADER_SIZE + 4 * (size_t)k) < 0) return -1;
        left -= k;
    }
    unsigned char end[END_SIZE];
    end_frame(end, id, count, gen, now_ns() - start);
    return write_full(fd, end, END_SIZE);
}

static int request_ok(const unsigned char *r)
{
    return memcmp(r, "IPCL", 4) == 0 && r[4] == 1 && r[5] == 1 && r[6] == 0 && r[7] == REQUEST_SIZE
        && crc32_ieee(r, 44) == get_u32(r + 44) && get_u32(r + 20) == 0
        && (int32_t)get_u32(r + 28) <= (int32_t)get_u32(r + 32);
}

static void serve_connection(int fd)
{
    unsigned char req[REQUEST_SIZE];
    for (;;) {
        if (read_full(fd, req, REQUEST_SIZE) != 1) break;
        if (!request_ok(req)) break;
        if (serve_request(fd, req) < 0) break;
    }
    close(fd);
}

static int listen_on(struct address *a)
{
    int fd;
    if (a->transport == T_TCP) {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, (struct sockaddr *)&a->in, sizeof a->in) < 0) die("bind");
        socklen_t len = sizeof a->in;
        getsockname(fd, (struct sockaddr *)&a->in, &len);
    } else {
        struct sockaddr_un un = { .sun_family = AF_UNIX };
        memcpy(un.sun_path, a->path, strlen(a->path) + 1);  /* length checked by parse_address */
        unlink(a->path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (bind(fd, (struct sockaddr *)&un, sizeof un) < 0) die("bind");
    }
    if (listen(fd, 1024) < 0) die("listen");
    return fd;
}

/* Fork-per-connection socket server. */
static void socket_server(int listener)
{
    signal(SIGCHLD, SIG_IGN);  /* children are reaped by the kernel */
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) { if (errno == EINTR || errno == ECONNABORTED) continue; die("accept"); }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  /* fails harmlessly on unix */
        pid_t pid = fork();
        if (pid == 0) { close(listener); serve_connection(fd); _exit(0); }
        close(fd);
    }
}

/* FIFO server: one process; reply FIFOs stay open (a small table keyed by pid and channel). */
struct reply_fd { uint32_t pid, channel; int fd; };

static void fifo_server(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/request.fifo", dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) die("open request.fifo");
    int keep = open(path, O_WRONLY | O_CLOEXEC);  /* so that read() never sees end-of-file */
    if (keep < 0) die("open request.fifo for writing");
    fcntl(fd, F_SETFL, 0);  /* blocking reads from now on */
    signal(SIGPIPE, SIG_IGN);
    struct reply_fd table[4096];
    int used = 0;
    unsigned char buf[REQUEST_SIZE * 64];
    size_t have = 0;
    for (;;) {
        ssize_t r = read(fd, buf + have, sizeof buf - have);
        if (r < 0) { if (errno == EINTR) continue; die("read request.fifo"); }
        have += (size_t)r;
        size_t pos = 0;
        while (have - pos >= REQUEST_SIZE) {
            unsigned char *req = buf + pos;
            if (!request_ok(req)) { pos += 1; continue; }  /* resynchronise byte by byte */
            pos += REQUEST_SIZE;
            uint32_t pid = get_u32(req + 8), channel = get_u32(req + 12);
            int slot = -1;
            for (int i = 0; i < used; i++)
                if (table[i].pid == pid && table[i].channel == channel) { slot = i; break; }
            if (slot < 0) {
                char reply[600];
                snprintf(reply, sizeof reply, "%s/reply-%u-%u.fifo", dir, pid, channel);
                int rfd = open(reply, O_WRONLY | O_CLOEXEC | O_NONBLOCK);
                if (rfd < 0) continue;  /* the client is gone */
                fcntl(rfd, F_SETFL, 0);
                if (used == 4096) { close(table[0].fd); table[0] = table[--used]; }
                slot = used++;
                table[slot] = (struct reply_fd){ pid, channel, rfd };
            }
            if (serve_request(table[slot].fd, req) < 0) {
                close(table[slot].fd);
                table[slot] = table[--used];
            }
        }
        memmove(buf, buf + pos, have - pos);
        have -= pos;
    }
}

static void make_fifo_directory(const char *dir)
{
    char path[512];
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) die("mkdir");
    snprintf(path, sizeof path, "%s/request.fifo", dir);
    unlink(path);
    if (mkfifo(path, 0600) < 0) die("mkfifo request.fifo");
    snprintf(path, sizeof path, "%s/server.pid", dir);
    FILE *f = fopen(path, "w");
    if (f) { fprintf(f, "%d\n", (int)getpid()); fclose(f); }
}

/* Start the server; return its pid (in `a`: the real address). */
static pid_t start_server(struct address *a)
{
    int listener = -1;
    if (a->transport == T_FIFO)
        make_fifo_directory(a->path);
    else
        listener = listen_on(a);
    int ready[2];
    if (pipe(ready) < 0) die("pipe");
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        close(ready[0]);
        pin(server_cpu);
        if (a->transport == T_FIFO) {
            /* open request.fifo for reading before saying we are ready */
            char path[512];
            snprintf(path, sizeof path, "%s/server.pid", a->path);
            FILE *f = fopen(path, "w");
            if (f) { fprintf(f, "%d\n", (int)getpid()); fclose(f); }
            close(ready[1]);
            fifo_server(a->path);
        } else {
            close(ready[1]);
            socket_server(listener);
        }
        _exit(0);
    }
    close(ready[1]);
    char c;
    while (read(ready[0], &c, 1) < 0 && errno == EINTR) {}
    close(ready[0]);
    if (listener >= 0) close(listener);
    if (a->transport == T_FIFO) {
        /* wait until the server has opened the request FIFO for reading */
        char path[512];
        snprintf(path, sizeof path, "%s/request.fifo", a->path);
        for (int i = 0; i < 5000; i++) {
            int fd = open(path, O_WRONLY | O_NONBLOCK);
            if (fd >= 0) { close(fd); break; }
            usleep(1000);
        }
    }
    return pid;
}

/* ---- client -------------------------------------------------------------------------------- */

struct client {
    int transport;
    int wfd, rfd;        /* sockets: the same descriptor */
    uint32_t pid, channel, next_id;
    char reply_path[600];
    unsigned char *buf;  /* at least 16 + 4 * MAX_CHUNK + 40 bytes */
    int verify;
    uint64_t histogram[HI - LO + 1];
};

static int client_open(struct client *c, const struct address *a, uint32_t channel, int big_pipe)
{
    memset(c, 0, sizeof *c);
    c->transport = a->transport;
    c->pid = (uint32_t)getpid();
    c->channel = channel;
    c->next_id = 1;
    c->buf = malloc(HEADER_SIZE + 4 * (size_t)MAX_CHUNK + END_SIZE + 64);
    if (a->transport == T_FIFO) {
        char path[512];
        snprintf(c->reply_path, sizeof c->reply_path, "%s/reply-%u-%u.fifo", a->path, c->pid, channel);
        unlink(c->reply_path);
        if (mkfifo(c->reply_path, 0600) < 0) return -1;
        c->rfd = open(c->reply_path, O_RDWR | O_CLOEXEC);  /* we hold a writer: no false EOF */
        if (c->rfd < 0) return -1;
        if (big_pipe) fcntl(c->rfd, F_SETPIPE_SZ, PIPE_BIG);
        snprintf(path, sizeof path, "%s/request.fifo", a->path);
        c->wfd = open(path, O_WRONLY | O_CLOEXEC);
        return c->wfd < 0 ? -1 : 0;
    }
    int fd;
    if (a->transport == T_TCP) {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(fd, (const struct sockaddr *)&a->in, sizeof a->in) < 0) return -1;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    } else {
        struct sockaddr_un un = { .sun_family = AF_UNIX };
        memcpy(un.sun_path, a->path, strlen(a->path) + 1);  /* length checked by parse_address */
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(fd, (struct sockaddr *)&un, sizeof un) < 0) return -1;
    }
    c->wfd = c->rfd = fd;
    return 0;
}

static void client_close(struct client *c)
{
    if (c->wfd != c->rfd) close(c->wfd);
    close(c->rfd);
    if (c->reply_path[0]) unlink(c->reply_path);
    free(c->buf);
}

/* Count the values 1..10 received (four interleaved histograms: no store-to-load stalls). */
static void count_values(struct client *c, const unsigned char *p, uint32_t n)
{
    const uint32_t *w = (const uint32_t *)p;
    uint64_t h[4][HI - LO + 2] = { { 0 } };
    uint32_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int k = 0; k < 4; k++) {
            uint32_t v = ntohl(w[i + k]) - LO;
            h[k][v <= HI - LO ? v : HI - LO + 1]++;
        }
    for (; i < n; i++) {
        uint32_t v = ntohl(w[i]) - LO;
        h[0][v <= HI - LO ? v : HI - LO + 1]++;
    }
    for (int v = 0; v <= HI - LO; v++)
        c->histogram[v] += h[0][v] + h[1][v] + h[2][v] + h[3][v];
}

static int check_end(struct client *c, const unsigned char *end, uint32_t id, uint32_t count)
{
    (void)c;
    return memcmp(end, "IPCL", 4) == 0 && end[5] == 3 && get_u32(end + 8) == id && get_u32(end + 12) == count
        ? 0 : -1;
}

/* One exchange of `count` values. Replies of one chunk (count <= 262144) are read with as few
 * read() calls as the kernel allows (the whole size is known); bigger ones frame by frame. */
static int client_exchange(struct client *c, uint32_t count)
{
    unsigned char req[REQUEST_SIZE];
    uint32_t id = c->next_id++;
    encode_request(req, c->pid, c->channel, id, count);
    if (write_full(c->wfd, req, REQUEST_SIZE) < 0) return -1;
    if (count <= MAX_CHUNK) {
        size_t total = (count ? HEADER_SIZE + 4 * (size_t)count : 0) + END_SIZE, got = 0;
        while (got < total) {
            ssize_t r = read(c->rfd, c->buf + got, total - got);
            if (r > 0) { got += (size_t)r; continue; }
            if (r < 0 && errno == EINTR) continue;
            return -1;
        }
        if (count) {
            if (memcmp(c->buf, "IPCL", 4) || c->buf[5] != 2 || get_u32(c->buf + 8) != id
                || get_u32(c->buf + 12) != count)
                return -1;
            if (c->verify) count_values(c, c->buf + HEADER_SIZE, count);
        }
        return check_end(c, c->buf + total - END_SIZE, id, count);
    }
    uint32_t received = 0;
    for (;;) {
        unsigned char *h = c->buf;
        if (read_full(c->rfd, h, HEADER_SIZE) != 1) return -1;
        if (memcmp(h, "IPCL", 4) || get_u32(h + 8) != id) return -1;
        if (h[5] == 3) {
            if (read_full(c->rfd, h + HEADER_SIZE, END_SIZE - HEADER_SIZE) != 1) return -1;
            return received == count ? check_end(c, h, id, count) : -1;
        }
        uint32_t k = get_u32(h + 12);
        if (h[5] != 2 || k < 1 || k > MAX_CHUNK || received + k > count) return -1;
        if (c->transport == T_FIFO) {
            if (read_full(c->rfd, c->buf + HEADER_SIZE, 4 * (size_t)k) != 1) return -1;
        } else {
            size_t want = 4 * (size_t)k, got = 0;
            while (got < want) {
                ssize_t r = recv(c->rfd, c->buf + HEADER_SIZE + got, want - got, MSG_WAITALL);
                if (r > 0) { got += (size_t)r; continue; }
                if (r < 0 && errno == EINTR) continue;
                return -1;
            }
        }
        if (c->verify) count_values(c, c->buf + HEADER_SIZE, k);
        received += k;
    }
}

/* ---- measurements -------------------------------------------------------------------------- */

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double quantile(const double *sorted, long n, double q)
{
    if (n <= 0) return 0;
    double pos = q * (double)(n - 1);
    long i = (long)pos;
    double f = pos - (double)i;
    return i + 1 < n ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[n - 1];
}

struct shared {
    double end_time[4096];
    int failures;
    double latency_us[];  /* one per exchange */
};

static int pingpong(const struct address *a, uint32_t n, long requests, int clients, long warmup, int verify,
                    const char *target)
{
    size_t size = sizeof(struct shared) + sizeof(double) * (size_t)requests;
    struct shared *sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) die("mmap");
    memset(sh, 0, sizeof *sh);
    int ready[2], go[2];
    if (pipe(ready) < 0 || pipe(go) < 0) die("pipe");
    long offset = 0;
    for (int i = 0; i < clients; i++) {
        long share = requests / clients + (i < requests % clients ? 1 : 0);
        long start = offset;
        offset += share;
        pid_t pid = fork();
        if (pid < 0) die("fork");
        if (pid) continue;
        close(ready[0]);
        close(go[1]);
        pin(client_cpu);
        struct client c;
        int failed = client_open(&c, a, 0, 0) < 0;
        c.verify = verify;
        for (long w = 0; !failed && w < warmup; w++)
            failed = client_exchange(&c, n) < 0;
        char byte = 1;
        if (write(ready[1], &byte, 1) < 0) _exit(3);
        while (read(go[0], &byte, 1) < 0 && errno == EINTR) {}  /* EOF: go */
        for (long k = 0; !failed && k < share; k++) {
            double t0 = now_s();
            failed = client_exchange(&c, n) < 0;
            sh->latency_us[start + k] = (now_s() - t0) * 1e6;
        }
        sh->end_time[i] = now_s();
        if (failed) __sync_fetch_and_add(&sh->failures, 1);
        client_close(&c);
        _exit(failed ? 1 : 0);
    }
    close(ready[1]);
    close(go[0]);
    char byte;
    for (int i = 0; i < clients; i++)
        if (read(ready[0], &byte, 1) != 1) { fprintf(stderr, "floor: a client failed to start\n"); break; }
    double t0 = now_s();
    close(go[1]);
    for (int i = 0; i < clients; i++) wait(NULL);
    double t1 = t0;
    for (int i = 0; i < clients; i++) if (sh->end_time[i] > t1) t1 = sh->end_time[i];
    qsort(sh->latency_us, (size_t)requests, sizeof(double), compare_double);
    double sum = 0;
    for (long i = 0; i < requests; i++) sum += sh->latency_us[i];
    double elapsed = t1 - t0;
    printf("{\"impl\": \"c\", \"mode\": \"pingpong\", \"transport\": \"%s\", \"target\": \"%s\", \"n\": %u, "
           "\"concurrency\": %d, \"requests\": %ld, \"failures\": %d, \"verify\": %s, \"elapsed_s\": %.6f, "
           "\"exchanges_per_s\": %.1f, \"numbers_per_s\": %.1f, \"latency_us\": {\"p50\": %.2f, \"p90\": %.2f, "
           "\"p99\": %.2f, \"p99.9\": %.2f, \"max\": %.2f, \"mean\": %.2f}}\n",
           transport_names[a->transport], target, n, clients, requests, sh->failures, verify ? "true" : "false",
           elapsed, requests / elapsed, (double)requests * n / elapsed, quantile(sh->latency_us, requests, 0.5),
           quantile(sh->latency_us, requests, 0.9), quantile(sh->latency_us, requests, 0.99),
           quantile(sh->latency_us, requests, 0.999), sh->latency_us[requests - 1], sum / (double)requests);
    fflush(stdout);
    int failures = sh->failures;
    munmap(sh, size);
    return failures ? 1 : 0;
}

static int bulk(const struct address *a, uint32_t n, int repetitions, int verify, const char *target)
{
    struct client c;
    pin(client_cpu);
    if (client_open(&c, a, 0, 1) < 0) die("connect");
    c.verify = verify;
    if (a->transport != T_FIFO) {
        int big = 4 << 20;
        setsockopt(c.rfd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    }
    double seconds[64];
    if (repetitions > 64) repetitions = 64;
    int failures = 0;
    if (client_exchange(&c, n) < 0) failures++;  /* warm-up: page in buffers, grow windows */
    for (int i = 0; i < repetitions; i++) {
        double t0 = now_s();
        if (client_exchange(&c, n) < 0) failures++;
        seconds[i] = now_s() - t0;
    }
    uint64_t counted = 0;
    for (int v = 0; v <= HI - LO; v++) counted += c.histogram[v];
    client_close(&c);
    qsort(seconds, (size_t)repetitions, sizeof(double), compare_double);
    double best = seconds[0], median = quantile(seconds, repetitions, 0.5);
    printf("{\"impl\": \"c\", \"mode\": \"bulk\", \"transport\": \"%s\", \"target\": \"%s\", \"n\": %u, "
           "\"repetitions\": %d, \"failures\": %d, \"verify\": %s, \"values_counted\": %llu, \"seconds_best\": %.6f, \"seconds_median\": %.6f, "
           "\"numbers_per_s\": %.1f, \"numbers_per_s_median\": %.1f, \"megabytes_per_s\": %.1f, "
           "\"megabytes_per_s_median\": %.1f}\n",
           transport_names[a->transport], target, n, repetitions, failures, verify ? "true" : "false",
           (unsigned long long)counted, best, median,
           n / best, n / median, 4.0 * n / best / 1e6, 4.0 * n / median / 1e6);
    fflush(stdout);
    return failures ? 1 : 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: floor {pingpong|bulk} {fifo|tcp|unix} [-n N] [-r REQUESTS] [-c CLIENTS] "
                    "[-w WARMUP] [-k REPETITIONS] [-V] [-S SERVER_CPU] [-C CLIENT_CPU] [-s ADDRESS | -a ADDRESS]\n");
    exit(2);
}

static int remove_tree_dir(const char *dir)
{
    char path[600];
    snprintf(path, sizeof path, "%s/request.fifo", dir); unlink(path);
    snprintf(path, sizeof path, "%s/server.pid", dir); unlink(path);
    return rmdir(dir);
}

int main(int argc, char **argv)
{
    if (argc < 3) usage();
    const char *mode = argv[1], *tname = argv[2];
    int transport = -1;
    for (int i = 0; i < 3; i++) if (strcmp(tname, transport_names[i]) == 0) transport = i;
    if (transport < 0 || (strcmp(mode, "pingpong") && strcmp(mode, "bulk"))) usage();
    int is_bulk = strcmp(mode, "bulk") == 0;
    long n = is_bulk ? 10000000 : 10, requests = 20000, warmup = -1;
    int clients = 1, repetitions = 5, verify = 0;
    const char *serve_at = NULL, *connect_to = NULL;
    optind = 3;
    int opt;
    while ((opt = getopt(argc, argv, "n:r:c:w:k:s:a:VS:C:")) != -1) {
        switch (opt) {
        case 'n': n = atol(optarg); break;
        case 'r': requests = atol(optarg); break;
        case 'c': clients = atoi(optarg); break;
        case 'w': warmup = atol(optarg); break;
        case 'k': repetitions = atoi(optarg); break;
        case 's': serve_at = optarg; break;
        case 'a': connect_to = optarg; break;
        case 'V': verify = 1; break;
        case 'S': server_cpu = atoi(optarg); break;
        case 'C': client_cpu = atoi(optarg); break;
        default: usage();
        }
    }
    if (n < 0 || n > 100000000 || requests < 1 || clients < 1 || clients > 4096 || repetitions < 1) usage();
    if (clients > requests) clients = (int)requests;
    if (warmup < 0) warmup = requests / clients / 10 < 200 ? requests / clients / 10 : 200;
    crc_init();
    rng_seed();
    server_buffer = malloc(HEADER_SIZE + 4 * (size_t)MAX_CHUNK + END_SIZE + 64);
    signal(SIGPIPE, SIG_IGN);

    struct address a;
    if (serve_at) {
        if (parse_address(transport, serve_at, &a) < 0) usage();
        if (transport == T_FIFO) {
            make_fifo_directory(a.path);
            printf("{\"event\": \"ready\", \"transport\": \"fifo\", \"address\": \"%s\", \"pid\": %d}\n", a.path,
                   (int)getpid());
            fflush(stdout);
            fifo_server(a.path);
        }
        int listener = listen_on(&a);
        char text[300];
        format_address(&a, text, sizeof text);
        printf("{\"event\": \"ready\", \"transport\": \"%s\", \"address\": \"%s\", \"pid\": %d}\n", tname, text,
               (int)getpid());
        fflush(stdout);
        socket_server(listener);
        return 0;
    }

    pid_t server = 0;
    char temp[] = "/tmp/ipclab-floor-XXXXXX";
    const char *target = "floor";
    if (connect_to) {
        if (parse_address(transport, connect_to, &a) < 0) usage();
        target = "external";
    } else {
        if (!mkdtemp(temp)) die("mkdtemp");
        if (transport == T_TCP) parse_address(T_TCP, "127.0.0.1:0", &a);
        else if (transport == T_UNIX) { parse_address(T_UNIX, temp, &a); strcat(a.path, "/floor.sock"); }
        else { parse_address(T_FIFO, temp, &a); strcat(a.path, "/fifo"); }
        server = start_server(&a);
    }
    int rc = is_bulk ? bulk(&a, (uint32_t)n, repetitions, verify, target)
                     : pingpong(&a, (uint32_t)n, requests, clients, warmup, verify, target);
    if (server) {
        kill(server, SIGKILL);
        waitpid(server, NULL, 0);
        if (transport == T_FIFO) remove_tree_dir(a.path);
        if (transport == T_UNIX) unlink(a.path);
        rmdir(temp);
    }
    return rc;
}
