/* Internals shared by the demo database builder's files: demo.c owns the
 * file's life (directories, temp file, pragmas, transaction, fsync, rename),
 * fill.c creates the schema and the small tables, trips.c the two
 * big ones, and data.c holds the fixed word lists the rows are made of.
 * Single-threaded: one build at a time per process. Nothing outside
 * the files of demo/ and its unit test includes this header. */
#ifndef SEEKI_DEMO_INT_H
#define SEEKI_DEMO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "util/err.h"
#include "util/mem.h"

/* Row counts of the demo tables; the unit test checks them. */
#define DEMO_DEPOTS 6
#define DEMO_VEHICLES 120
#define DEMO_DRIVERS 80
#define DEMO_JOURNEYS 20000
#define DEMO_TELEMETRY 210000

/* The demo's fixed "now" (2026-04-30 09:30:00 UTC) as Unix seconds: every
 * timestamp lies before it, and journeys still running at it have no end. */
#define DEMO_NOW 1777541400LL

/* Bumped whenever the demo's contents change; stored as PRAGMA user_version
 * so a future SeeKi can tell an old demo file from a current one. */
#define DEMO_SCHEMA_VERSION 1
#define DEMO_STR_(x) #x
#define DEMO_STR(x) DEMO_STR_(x)

/* Creates the schema, the rows, the view and the indexes on db, which must be
 * an empty database inside an open transaction. Deterministic: the same
 * statements with the same values every time, so the same SQLite version
 * writes the same bytes. Returns SQLITE_OK, or the first SQLite error code
 * with *stage set to a static phrase naming the step ("inserting into
 * telemetry_log") for the caller's message; sqlite3_errmsg(db) has the
 * library's reason. */
int demo_populate(sqlite3 *db, const char **stage);

/* Formats Unix seconds (UTC, proleptic Gregorian, any int64 the calendar
 * math supports for years 0..9999) as "YYYY-MM-DD HH:MM:SS" into out. */
void demo_format_ts(int64_t t, char out[20]);
/* Days since 1970-01-01 of the civil date y-m-d (m 1..12, d 1..31). */
int64_t demo_days_from_civil(int y, unsigned m, unsigned d);

/* --- toolkit shared by fill.c and trips.c ---------------------- */

/* Deterministic randomness: splitmix64, one stream per table so that a change
 * to one table's generator does not reshuffle the others. */

struct demo_rng {
    uint64_t s;
};

static inline uint64_t demo_rng_next(struct demo_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static inline uint32_t demo_rng_below(struct demo_rng *r, uint32_t n)
{
    return (uint32_t)(((demo_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline int demo_rng_range(struct demo_rng *r, int lo, int hi)
{
    return lo + (int)demo_rng_below(r, (uint32_t)(hi - lo + 1));
}

/* True with probability permille/1000. */
static inline bool demo_rng_permille(struct demo_rng *r, unsigned permille)
{
    return demo_rng_below(r, 1000) < permille;
}

/* Index into an array of structs whose `unsigned weight` member is at w0,
 * stride bytes apart, chosen with probability weight/total. */
static inline size_t demo_rng_weighted(struct demo_rng *r, const unsigned *w0, size_t n,
                                       size_t stride)
{
    const char *p = (const char *)w0;
    uint32_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += *(const unsigned *)(const void *)(p + i * stride);
    uint32_t x = demo_rng_below(r, total);
    for (size_t i = 0; i < n; i++) {
        unsigned w = *(const unsigned *)(const void *)(p + i * stride);
        if (x < w)
            return i;
        x -= w;
    }
    return n - 1;
}
#define DEMO_PICK(r, arr, n)                                                                       \
    (&(arr)[demo_rng_weighted((r), &(arr)[0].weight, (n), sizeof((arr)[0]))])
#define DEMO_ANY(r, name) (demo_##name[demo_rng_below((r), (uint32_t)demo_n##name)])

/* ------------------------------------------------------------------------ */
/* Small text builder (fixed capacity; truncates, never overflows) and a row
 * inserter that remembers the first SQLite error of the row. */

struct demo_tb {
    size_t n;
    char s[2048];
};

static inline void demo_tb_reset(struct demo_tb *t)
{
    t->n = 0;
    t->s[0] = '\0';
}

/* Appends printf output to t; output past its capacity is dropped (the demo's
 * texts are far shorter). */
void demo_tb_printf(struct demo_tb *t, const char *fmt, ...) SEEKI_PRINTF(2, 3);

struct demo_ins {
    sqlite3_stmt *st;
    int rc; /* first bind/step error of the current row, else SQLITE_OK */
};

static inline void demo_b_keep(struct demo_ins *in, int rc)
{
    if (in->rc == SQLITE_OK && rc != SQLITE_OK)
        in->rc = rc;
}

static inline void demo_b_int(struct demo_ins *in, int i, int64_t v)
{
    demo_b_keep(in, sqlite3_bind_int64(in->st, i, v));
}

static inline void demo_b_real(struct demo_ins *in, int i, double v)
{
    demo_b_keep(in, sqlite3_bind_double(in->st, i, v));
}

/* NULL s binds SQL NULL. */
static inline void demo_b_text(struct demo_ins *in, int i, const char *s)
{
    if (!s)
        demo_b_keep(in, sqlite3_bind_null(in->st, i));
    else
        demo_b_keep(in, sqlite3_bind_text(in->st, i, s, -1, SQLITE_TRANSIENT));
}

static inline void demo_b_ts(struct demo_ins *in, int i, int64_t t)
{
    char s[20];
    demo_format_ts(t, s);
    demo_b_text(in, i, s);
}

static inline void demo_b_date(struct demo_ins *in, int i, int64_t t)
{
    char s[20];
    demo_format_ts(t, s);
    s[10] = '\0';
    demo_b_text(in, i, s);
}

/* Runs the bound row and makes the statement ready for the next one. */
static inline int demo_ins_row(struct demo_ins *in)
{
    int rc = in->rc;
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(in->st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_reset(in->st);
    in->rc = SQLITE_OK;
    return rc;
}

/* Tenths as a double: an exact decimal input and one IEEE division, so the
 * stored REAL is the same on every machine. */
static inline double demo_tenths(int64_t v)
{
    return (double)v / 10.0;
}

#define DEMO_DAY 86400LL
#define DEMO_DATE_TS(y, m, d) (demo_days_from_civil((y), (m), (d)) * DEMO_DAY)

/* ------------------------------------------------------------------------ */
/* Shared state between tables: what later tables need to stay plausible. */

struct demo {
    int64_t vehicle_bought[DEMO_VEHICLES + 1]; /* purchased_on, Unix s */
    int vehicle_model[DEMO_VEHICLES + 1];      /* index into demo_models */
    int vehicle_depot[DEMO_VEHICLES + 1];      /* 1..DEMO_DEPOTS */
    int64_t driver_hired[DEMO_DRIVERS + 1];    /* hired_at, Unix s */
    int64_t driver_left[DEMO_DRIVERS + 1];     /* 0 while employed */
    int driver_licence[DEMO_DRIVERS + 1];      /* index into demo_licences */
};

/* Table fillers: each binds and steps the INSERT prepared in in->st for all
 * its rows and returns SQLITE_OK or the first SQLite error. Later tables read
 * what earlier ones stored in dm, so they run in this order. */
int demo_fill_depots(struct demo *dm, struct demo_ins *in);
int demo_fill_vehicles(struct demo *dm, struct demo_ins *in);
int demo_fill_drivers(struct demo *dm, struct demo_ins *in);
int demo_fill_journeys(struct demo *dm, struct demo_ins *in);  /* trips.c */
int demo_fill_telemetry(struct demo *dm, struct demo_ins *in); /* trips.c */

/* Writes a w x w RGB PNG of a little depot shed in colour rgb at out, which
 * holds at least 3*w*w + w + 128 bytes (w <= 64); returns its size. */
size_t demo_png(unsigned char *out, unsigned w, const unsigned char rgb[3]);

/* --- word lists (data.c); all static, read-only, UTF-8 ----------- */

struct demo_depot {
    const char *name, *city, *address;
    int lat_e5, lon_e5; /* degrees * 100000 */
    int opened_y, opened_m, opened_d;
    int is_24h;           /* 1, 0, or -1 for unknown (NULL) */
    unsigned photo_px;    /* square photo edge in pixels; 0 = no photo */
    unsigned char rgb[3]; /* the shed's colour in the photo */
};

struct demo_model {
    const char *make, *model;
    const char *fuel; /* diesel, petrol, electric, hybrid, CNG */
    const char *body; /* "panel van", "tractor unit", ... */
    int licence;      /* index into demo_licences: least needed */
    int payload_kg, seats, length_cm;
    int battery_kwh, range_km; /* 0 when it has no traction battery */
    int tank_l;                /* fuel tank, litres (0 for electric) */
    int km_per_year;           /* typical yearly mileage */
    int first_year;            /* earliest model year in the fleet */
    int speed_kmh;             /* average journey speed incl. traffic */
    unsigned weight;           /* relative share of the fleet */
};

struct demo_person {
    const char *first, *last;           /* as displayed, unicode */
    const char *first_slug, *last_slug; /* ASCII, for e-mail addresses */
};

struct demo_name {
    const char *name, *slug;
};

struct demo_place {
    const char *name;
    int lat_e5, lon_e5;
};

enum demo_cargo {
    DEMO_CARGO_NONE,    /* cargo NULL: no load (transfers, services) */
    DEMO_CARGO_EMPTY,   /* {"items":[]} or {} */
    DEMO_CARGO_GOODS,   /* a delivery with a signed POD */
    DEMO_CARGO_CHILLED, /* goods with a temperature */
    DEMO_CARGO_COLLECT  /* goods collected, nobody signs */
};

struct demo_purpose {
    const char *text;
    unsigned weight;
    enum demo_cargo cargo;
};

struct demo_sku {
    const char *sku, *description;
    int unit_kg_x10; /* weight of one unit in tenths of a kg */
    int max_qty;
    bool hazmat;
    bool chilled;
};

/* Sized lists; n* are their element counts. */
#define DEMO_LIST(type, name)                                                                      \
    extern const type demo_##name[];                                                            \
    extern const size_t demo_n##name
DEMO_LIST(struct demo_depot, depots); /* exactly DEMO_DEPOTS, in id order */
DEMO_LIST(struct demo_model, models);
DEMO_LIST(char *const, licences); /* "B" < "C1" < "C" < "C+E" */
DEMO_LIST(char *const, colours);
DEMO_LIST(char *const, features);
DEMO_LIST(char *const, vehicle_notes);
DEMO_LIST(char *const, long_notes);      /* each longer than 300 bytes */
DEMO_LIST(struct demo_person, showcase); /* drivers 1..n: unicode names */
DEMO_LIST(struct demo_name, first_names);
DEMO_LIST(struct demo_name, last_names);
DEMO_LIST(struct demo_place, places); /* the first DEMO_DEPOTS are the depots */
DEMO_LIST(struct demo_purpose, purposes);
DEMO_LIST(char *const, long_purposes); /* pairs: text before and after the destination */
DEMO_LIST(struct demo_sku, skus);
DEMO_LIST(char *const, recipients);
DEMO_LIST(char *const, roads);
DEMO_LIST(char *const, stations);
DEMO_LIST(char *const, fault_codes); /* pairs: code, description */
DEMO_LIST(char *const, driver_notes);
DEMO_LIST(char *const, geofences);
#undef DEMO_LIST

#endif
