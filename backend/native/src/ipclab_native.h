/* ipclab_native.h - the interface of IPC Lab's compiled data plane (libipclab_native.so).
 *
 * A plain C library loaded from Python with ctypes (backend/native/loader.py): no Python
 * headers, no Python objects. ctypes releases the interpreter lock around every call, so the
 * loops here run while other Python threads go on. Protocol version 1 (docs/PROTOCOL.md).
 * The structures are mirrored field by field in backend/native/client_plane.py.
 */
#ifndef IPCLAB_NATIVE_H
#define IPCLAB_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#define IPCL_ABI_VERSION 5

#define IPCL_MAGIC "IPCL"
#define IPCL_VERSION 1
#define IPCL_REQUEST_SIZE 48
#define IPCL_REPLY_HEADER_SIZE 16
#define IPCL_END_SIZE 40
#define IPCL_MAX_COUNT 100000000u
#define IPCL_MAX_CHUNK_VALUES 262144u
#define IPCL_MAX_ERROR_MESSAGE 1024u
#define IPCL_REQUEST_FLAG_SEED 0x1u
#define IPCL_LAST_VALUES 20

enum ipcl_frame_type { IPCL_REQUEST = 1, IPCL_CHUNK = 2, IPCL_END = 3, IPCL_ERROR = 4 };

/* What a batch call ends with (mapped to the Python engine's exceptions by client_plane.py). */
enum ipcl_status {
    IPCL_OK = 0,
    IPCL_SERVER_ERROR = 1, /* the server answered with an ERROR frame: ServerError */
    IPCL_MISMATCH = 2,     /* not a valid reply to our request: ProtocolMismatch */
    IPCL_VANISHED = 3,     /* end of stream before the reply was complete: ServerVanished */
    IPCL_TIMEOUT = 4,      /* no progress within the timeout: TimedOut */
    IPCL_CANCELLED = 5,    /* the cancellation descriptor became readable: Cancelled */
    IPCL_PEER_CLOSED = 6,  /* EPIPE / ECONNRESET: PeerClosed */
    IPCL_OS_ERROR = 7,     /* any other system call failure: OSError(os_errno) */
    IPCL_BAD_ARGUMENT = 8, /* the caller's arguments break a limit: ValueError */
    IPCL_INTERRUPTED = 9   /* a signal arrived (interruptible calls only): OSError(EINTR) */
};

/* One client channel's descriptors and the work of one batch call. */
typedef struct {
    int32_t write_fd;          /* where requests go */
    int32_t read_fd;           /* where replies come from */
    int32_t cancel_fd;         /* readable once cancelled (poll mode), or -1; best the channel's own
                                  (an eventfd), not a pipe that every client polls */
    int32_t watch_fd;          /* FIFO: the request FIFO, POLLERR once the server is gone; or -1
                                  (watched once a wait has lasted WATCH_AFTER_MS, see client.c) */
    int32_t use_poll;          /* 1: non-blocking descriptors, poll() with timeout_ms (FIFO);
                                  0: blocking socket with kernel timeouts (SO_RCVTIMEO/SO_SNDTIMEO) */
    int32_t timeout_ms;        /* poll mode: longest wait for any progress (< 0: no limit);
                                  socket mode: the kernel timeouts' value, for messages only */
    uint32_t pid;
    uint32_t channel;
    uint32_t first_request_id; /* ids go on as id % 0xFFFFFFFF + 1, as in the Python client */
    int32_t lo;
    int32_t hi;
    uint32_t seeded;           /* 1: seeds[i] is sent with REQUEST_FLAG_SEED */
    int64_t *histogram;        /* value counts: bins of hist_width values from lo; or NULL */
    int64_t hist_bins;
    int64_t hist_width;
    int32_t *values;           /* or NULL: where the values of the batch go, one after the other */
    uint64_t values_capacity;  /* in values */
    int32_t interruptible;     /* 1 (the interpreter's main thread): a signal ends the call (IPCL_INTERRUPTED)
                                  so that its Python handler runs (Ctrl-C); 0: calls are retried */
    int32_t signal_fd;         /* with interruptible: Python's signal wakeup pipe (readable once a
                                  signal arrived, whenever it arrived), polled before each wait; or -1 */
} ipcl_batch;

/* One row per completed exchange; times are CLOCK_MONOTONIC nanoseconds. */
typedef struct {
    uint32_t request_id;
    uint32_t count;
    int64_t send_ns;
    int64_t first_byte_ns;
    int64_t last_byte_ns;
    uint32_t server_pid;
    uint32_t reserved;
    int64_t server_generation_ns;
    int64_t server_service_ns;
    uint64_t bytes_received;
} ipcl_record;

typedef struct {
    uint32_t done;             /* exchanges completed (rows written) */
    int32_t status;            /* enum ipcl_status */
    int32_t server_code;       /* IPCL_SERVER_ERROR: the frame's code */
    int32_t os_errno;
    uint32_t next_request_id;  /* the id after the last one used */
    uint32_t last_count;       /* values in last_values */
    uint32_t message_length;   /* bytes of message (an ERROR frame's raw UTF-8, or our text) */
    int64_t out_of_range;      /* values outside [lo, hi] seen by this call */
    int32_t last_values[IPCL_LAST_VALUES]; /* the first values of the last reply, native order */
    char message[IPCL_MAX_ERROR_MESSAGE + 128];
} ipcl_outcome;

/* A client's receive state (its buffer), kept between calls. */
typedef struct ipcl_client ipcl_client;

int32_t ipcl_abi_version(void);
ipcl_client *ipcl_client_new(void);
void ipcl_client_free(ipcl_client *client);
int32_t ipcl_client_batch(ipcl_client *client, const ipcl_batch *batch, const uint32_t *counts,
                          const uint64_t *seeds, uint32_t n, ipcl_record *records, ipcl_outcome *outcome);

/* The native server (server.c): one call serves one connected socket until it closes. */
typedef struct {
    int32_t kind;          /* IPCL_EVENT_* */
    int32_t code;          /* client_error: the protocol error code */
    uint32_t pid, channel, request_id, count;
    int32_t lo, hi;
    uint32_t seeded;
    uint32_t reserved;
    uint64_t seed;
    uint64_t bytes;
    int64_t generation_ns, service_ns;
    char message[256];
    uint32_t has_client;      /* FIFO server: pid and channel name the client (else it is unknown: "?") */
    uint32_t reserved2;
    int64_t received_ns;      /* IPCL_EVENT_HAND_OVER: when the request was read (CLOCK_MONOTONIC) */
} ipcl_event;

enum {
    IPCL_EVENT_REQUEST = 1, IPCL_EVENT_REPLY_SENT = 2, IPCL_EVENT_CLIENT_ERROR = 3,
    /* FIFO server only (fifo_server.c): */
    IPCL_EVENT_CLIENT_SEEN = 4,   /* a request from pid/channel, whose reply FIFO is about to be opened */
    IPCL_EVENT_CLIENT_GONE = 5,   /* its reply FIFO is gone or closed; message: why */
    IPCL_EVENT_HAND_OVER = 6,     /* a checked request too large to answer inline: Python serves it */
    IPCL_EVENT_NEW_REQUEST = 7    /* a request from pid/channel while Python writes large replies:
                                     that client gave up on any reply still being written to it */
};

typedef void (*ipcl_event_callback)(const ipcl_event *event);
/* Fill `out` with `count` values in [lo, hi] in network order for the seeded request `token`
 * (the same token for every chunk of one reply); count 0: the reply is over. Returns 0 on success. */
typedef int32_t (*ipcl_generate_callback)(uint64_t token, uint64_t seed, uint32_t count, int32_t lo, int32_t hi,
                                          uint32_t *out);

/* Totals of every connection of one server, read by Python for the `stats` events. */
typedef struct {
    uint64_t requests, numbers, bytes, suppressed_lines;
    int64_t window_start_ns;
    uint64_t window_lines;
    uint64_t next_stream;  /* per-connection generator streams and seeded-request tokens */
} ipcl_server_totals;

typedef struct {
    int32_t fd;               /* the connected socket (set non-blocking by this call) */
    int32_t cancel_fd;        /* readable once the server stops */
    uint32_t max_count;
    int32_t idle_timeout_ms, request_timeout_ms, write_timeout_ms;
    int32_t exchange_events;  /* 1: call on_event for request/reply_sent, within lines_per_second */
    int32_t lines_per_second;
    uint32_t seeded_server;   /* 1: the server's --seed makes the unseeded streams reproducible */
    uint32_t not_socket;      /* 1: fd is a reply FIFO (write(), no socket options): fifo_server.c */
    uint64_t server_seed;
    ipcl_event_callback on_event;
    ipcl_generate_callback generate;
    ipcl_server_totals *totals;
    int32_t *error_sent;      /* out: 1 when the connection ended right after an ERROR frame, so that
                                 the caller closes gracefully (shutdown, drain) and the frame arrives */
} ipcl_connection;

/* Returns IPCL_OK (the client closed), IPCL_CANCELLED, IPCL_PEER_CLOSED, IPCL_TIMEOUT or
 * IPCL_OS_ERROR, with the Python engine's message for it in `message`. */
int32_t ipcl_serve_connection(const ipcl_connection *connection, char *message, uint32_t message_size);

/* The FIFO server's listener (fifo_server.c): reads the request FIFO, checks and resynchronises
 * as backend/servers/fifo_server.py does, answers small requests inline through a cache of open
 * reply FIFOs (opened with the checks of FifoDirectory.open_reply), writes ERROR replies, and
 * hands larger requests to Python (IPCL_EVENT_HAND_OVER). The cache lives in an ipcl_fifo_cache,
 * shared with the pruning and shedding calls that Python makes from its other threads. */
typedef struct ipcl_fifo_cache ipcl_fifo_cache;

typedef struct {
    int32_t request_fd;          /* the request FIFO, blocking (read() waits in the kernel) */
    int32_t cancel_fd;           /* readable once the server stops (also woken by a byte written to
                                    the request FIFO) */
    int32_t directory_fd;        /* the private directory of the reply FIFOs */
    uint32_t user_id;            /* reply FIFOs must be owned by this user */
    uint32_t max_count;
    int32_t request_timeout_ms;  /* a partial request is dropped after this long */
    int32_t inline_timeout_ms;   /* the longest wait to write an inline reply */
    int32_t exchange_events, lines_per_second;
    uint32_t inline_values;      /* requests up to this many values are answered here */
    uint32_t seeded_server;
    uint64_t server_seed;
    const int32_t *worker_replies; /* how many large replies Python is writing now (IPCL_EVENT_NEW_REQUEST) */
    ipcl_event_callback on_event;
    ipcl_generate_callback generate;
    ipcl_server_totals *totals;
    uint64_t *garbage_bytes;     /* out: bytes skipped or discarded that were not requests */
    const int32_t *stop_requested; /* set by Python's stop() before the byte that wakes the read */
} ipcl_fifo_server;

ipcl_fifo_cache *ipcl_fifo_cache_new(uint32_t capacity);
void ipcl_fifo_cache_free(ipcl_fifo_cache *cache);   /* closes every descriptor in it */
uint32_t ipcl_fifo_cache_size(ipcl_fifo_cache *cache);
/* Close every entry not in use whose FIFO was unlinked or has no reader; returns how many. */
uint32_t ipcl_fifo_cache_prune(ipcl_fifo_cache *cache);
/* Close the least recently used entry not in use (at EMFILE); returns 1 if there was one. */
int32_t ipcl_fifo_cache_shed_one(ipcl_fifo_cache *cache);
/* Serve until cancelled: IPCL_CANCELLED, or IPCL_OS_ERROR with its message. */
int32_t ipcl_serve_fifo(const ipcl_fifo_server *server, ipcl_fifo_cache *cache, char *message, uint32_t message_size);

/* rng.c */
typedef struct {
    uint64_t s[4];
    uint32_t spare;
    int32_t has_spare;
} ipcl_rng;

void ipcl_rng_seed(ipcl_rng *rng, int seeded, uint64_t seed, uint64_t stream);
void ipcl_rng_fill_wire(ipcl_rng *rng, uint32_t *out, uint32_t count, int32_t lo, int32_t hi);

/* wire.c */
void ipcl_bytes_repr(const uint8_t *data, size_t length, char *out, size_t size);
uint32_t ipcl_crc32(const uint8_t *data, size_t length);
void ipcl_encode_request(uint8_t out[IPCL_REQUEST_SIZE], uint32_t pid, uint32_t channel, uint32_t request_id,
                         uint32_t count, int32_t lo, int32_t hi, int seeded, uint64_t seed);
uint32_t ipcl_get32(const uint8_t *p);
uint64_t ipcl_get64(const uint8_t *p);
void ipcl_put32(uint8_t *p, uint32_t value);
void ipcl_put64(uint8_t *p, uint64_t value);
int64_t ipcl_now_ns(void);

#endif
