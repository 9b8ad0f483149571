/* The tunnel object and its per-connection pump, shared by tunnel.c
 * (lifecycle, status, keepalive, reconnect) and pump.c (moving bytes between
 * client sockets and channels). Everything below except the fields marked
 * "guarded by mu" belongs to the I/O thread once it runs. */
#ifndef SEEKI_TUNNEL_INT_H
#define SEEKI_TUNNEL_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ssh/ssh_int.h"
#include "ssh/tunnel.h"

#define TUNNEL_CONN_BUF (64u * 1024u) /* bytes buffered per direction per connection */
#define TUNNEL_MAX_CONNS 512          /* connections beyond this are refused at accept */
#define TUNNEL_BACKOFF_MIN_S 1
#define TUNNEL_BACKOFF_MAX_S 30
#define TUNNEL_TICK_MS 1000 /* longest poll wait: keepalive checks need no better */

enum pump_state {
    PUMP_OPENING, /* direct-tcpip requested, not yet confirmed by the bastion */
    PUMP_OPEN,    /* bytes flow both ways */
    PUMP_DEAD     /* to be freed at the end of the pass */
};

/* One forwarded connection: an accepted client socket and its channel. Data
 * moves client -> up -> channel and channel -> down -> client; each buffer is
 * bounded, so a slow side stops the other (the channel window does the rest
 * on the SSH side). */
struct pump {
    int fd;                 /* accepted client socket, non-blocking */
    int peer_port;          /* client's local port (sent as originator) */
    ssh_channel ch;
    enum pump_state state;
    double open_at;         /* monotonic seconds the direct-tcpip open was sent */
    bool was_open;          /* the bastion confirmed the channel (it may be closed) */
    char up[TUNNEL_CONN_BUF];   /* client -> channel, [0, up_len) pending */
    size_t up_len;
    char down[TUNNEL_CONN_BUF]; /* channel -> client, [down_off, down_len) pending */
    size_t down_off, down_len;
    bool client_eof;        /* the client shut its sending side (read returned 0) */
    bool client_gone;       /* the client socket failed or hung up: discard output */
    bool eof_sent;          /* EOF sent on the channel after up drained */
    bool chan_eof;          /* the bastion sent EOF (or closed) */
    bool shut_wr;           /* shutdown(SHUT_WR) done after down drained */
    short revents;          /* poll events seen since the last pass (event callback) */
    short reg_events;       /* events registered in the ssh_event; -1 = not registered */
    struct pump *next;
};

struct tunnel {
    struct tunnel_params p;      /* the bastion (last hop) */
    struct tunnel_params *jumps; /* the jump hosts before it, in order */
    size_t njumps;
    struct tunnel_abort abort;   /* cancels blocking set-up from tunnel_close */
    int listen_fd;          /* 127.0.0.1:local_port, non-blocking; kept for the lifetime */
    int local_port;
    int wake[2];            /* pipe: tunnel_close writes one byte to wake the thread */
    pthread_t thread;
    bool thread_started;

    pthread_mutex_t mu;
    struct tunnel_status st; /* guarded by mu */
    bool stop;               /* guarded by mu */

    /* I/O thread only. */
    ssh_session sess;        /* the bastion session (chain.bastion); NULL while reconnecting */
    struct tunnel_chain chain;
    ssh_event ev;
    struct pump *pumps;
    size_t npumps;
    short listen_revents, wake_revents;
    bool listen_reg, wake_reg;
    struct tunnel_ka ka;     /* keepalive of the bastion session */
};

/* Monotonic clock in seconds. */
double tunnel_now(void);

/* ---- pump.c ---------------------------------------------------------------- */

/* Accepts every pending connection on t->listen_fd. While up, each gets a
 * channel being opened; otherwise (reconnecting) it is closed at once. */
void pump_accept(struct tunnel *t, bool up);
/* Moves bytes for every pump; returns true when anything progressed (the
 * caller repeats until nothing does). Frees pumps that ended. */
bool pump_pass(struct tunnel *t);
/* True when a pump could make progress without a poll event (data already
 * buffered inside libssh, a channel open answer pending processing). */
bool pump_pending(struct tunnel *t);
/* Registers/updates every pump's fd in t->ev with the events it needs now. */
void pump_register(struct tunnel *t);
/* Closes every pump (channel and socket); graceful when the session is alive. */
void pump_close_all(struct tunnel *t);
/* Event callback storing revents into the short that userdata points to. */
int pump_note_events(socket_t fd, int revents, void *userdata);

#endif
