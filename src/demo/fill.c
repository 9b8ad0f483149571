/* Generates the demo database's rows (SPEC §8): a small haulage company's
 * depots, vehicles, drivers, two years of journeys and a year of vehicle
 * telemetry, from the word lists in data.c. Every value comes from a
 * fixed-seed PRNG, integer arithmetic and a fixed "now", so each build issues
 * the same statements with the same values. demo.c owns the file. */
#include "demo/demo_int.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/err.h"
#include "util/mem.h"

/* ------------------------------------------------------------------------ */
/* Calendar math (Howard Hinnant's civil-date algorithms): no time zone, no
 * libc state, identical everywhere. */

int64_t demo_days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400) + (*m <= 2);
}

/* Writes v as exactly n decimal digits (leading zeros) at p. */
static void put_digits(char *p, unsigned v, int n)
{
    while (n-- > 0) {
        p[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

void demo_format_ts(int64_t t, char out[20])
{
    int64_t days = t / 86400, secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    memcpy(out, "0000-00-00 00:00:00", 20);
    put_digits(out, (unsigned)(y < 0 ? 0 : y), 4);
    put_digits(out + 5, m, 2);
    put_digits(out + 8, d, 2);
    put_digits(out + 11, (unsigned)(secs / 3600), 2);
    put_digits(out + 14, (unsigned)(secs / 60 % 60), 2);
    put_digits(out + 17, (unsigned)(secs % 60), 2);
}

void demo_tb_printf(struct demo_tb *t, const char *fmt, ...)
{
    if (t->n >= sizeof t->s - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(t->s + t->n, sizeof t->s - t->n, fmt, ap);
    va_end(ap);
    if (k > 0)
        t->n += (size_t)k < sizeof t->s - t->n ? (size_t)k : sizeof t->s - t->n - 1;
}

/* ------------------------------------------------------------------------ */
/* depots: six rows, four with a small PNG photo (one past the 1 KiB JSON
 * cap), two without, one with an unknown opening-hours flag (NULL). */

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* Writes one PNG chunk (length, type, data, CRC) at out; returns its size. */
static size_t png_chunk(unsigned char *out, const char type[4], const unsigned char *data,
                        size_t len)
{
    put_be32(out, (uint32_t)len);
    memcpy(out + 4, type, 4);
    if (len)
        memcpy(out + 8, data, len);
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), out + 4, (uInt)(4 + len));
    put_be32(out + 8 + len, crc);
    return 12 + len;
}

/* Writes a w x w RGB PNG (uncompressed "stored" deflate) of a little depot
 * shed in colour rgb at out, which holds at least 3*w*w + w + 128 bytes
 * (w <= 64); returns its size. */
size_t demo_png(unsigned char *out, unsigned w, const unsigned char rgb[3])
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    const size_t raw_len = (size_t)w * (1 + 3 * (size_t)w);
    const size_t zlen = 2 + 5 + raw_len + 4;
    unsigned char *z = xmalloc(zlen), *raw = z + 7;
    size_t k = 0;
    for (unsigned y = 0; y < w; y++) {
        raw[k++] = 0; /* filter: none */
        for (unsigned x = 0; x < w; x++, k += 3) {
            unsigned char px[3] = {196, 222, 250}; /* sky */
            if (y >= w * 3 / 4) {
                px[0] = 104, px[1] = 150, px[2] = 84; /* grass */
            } else if (y >= w / 3 && x >= w / 5 && x < w * 4 / 5) {
                memcpy(px, rgb, 3); /* the shed, with lit windows */
                if ((x + y) % 4 == 0)
                    px[0] = 250, px[1] = 236, px[2] = 160;
            }
            memcpy(raw + k, px, 3);
        }
    }
    /* zlib's Adler-32 of the raw bytes; the deflate stream stays "stored"
     * (uncompressed) so the photos' sizes, and the demo file, never change */
    uint32_t adler = (uint32_t)adler32(adler32(0L, Z_NULL, 0), raw, (uInt)raw_len);
    z[0] = 0x78, z[1] = 0x01; /* zlib header: deflate, 32K window */
    z[2] = 0x01;              /* final block, stored */
    z[3] = (unsigned char)raw_len, z[4] = (unsigned char)(raw_len >> 8);
    z[5] = (unsigned char)~raw_len, z[6] = (unsigned char)(~raw_len >> 8);
    put_be32(z + 7 + raw_len, adler);

    unsigned char ihdr[13] = {0};
    put_be32(ihdr, w);
    put_be32(ihdr + 4, w);
    ihdr[8] = 8; /* bit depth */
    ihdr[9] = 2; /* colour type: RGB */
    memcpy(out, sig, 8);
    size_t n = 8;
    n += png_chunk(out + n, "IHDR", ihdr, sizeof ihdr);
    n += png_chunk(out + n, "IDAT", z, zlen);
    n += png_chunk(out + n, "IEND", NULL, 0);
    free(z);
    return n;
}

int demo_fill_depots(struct demo *dm, struct demo_ins *in)
{
    unsigned char *png = xmalloc(3 * 64 * 64 + 64 + 128);
    int rc = SQLITE_OK;
    (void)dm;
    for (size_t i = 0; i < demo_ndepots && rc == SQLITE_OK; i++) {
        const struct demo_depot *d = &demo_depots[i];
        demo_b_int(in, 1, (int64_t)i + 1);
        demo_b_text(in, 2, d->name);
        demo_b_text(in, 3, d->city);
        demo_b_text(in, 4, d->address);
        demo_b_real(in, 5, (double)d->lat_e5 / 100000.0);
        demo_b_real(in, 6, (double)d->lon_e5 / 100000.0);
        demo_b_date(in, 7, DEMO_DATE_TS(d->opened_y, (unsigned)d->opened_m, (unsigned)d->opened_d));
        if (d->is_24h < 0)
            demo_b_keep(in, sqlite3_bind_null(in->st, 8));
        else
            demo_b_int(in, 8, d->is_24h);
        if (d->photo_px) {
            size_t len = demo_png(png, d->photo_px, d->rgb);
            demo_b_keep(in, sqlite3_bind_blob(in->st, 9, png, (int)len, SQLITE_TRANSIENT));
        } else {
            demo_b_keep(in, sqlite3_bind_null(in->st, 9));
        }
        rc = demo_ins_row(in);
    }
    free(png);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* vehicles */

/* A UK registration ("AB21 CDE") whose age identifier matches the purchase
 * date: March-August use the year, September-February the year + 50. */
static void make_plate(struct demo_rng *r, int64_t bought, char out[9])
{
    static const char L[] = "ABCDEFGHJKLMNOPRSTUVWXY";
    const uint32_t nl = sizeof L - 1;
    char ts[20];
    demo_format_ts(bought, ts);
    int y = (ts[2] - '0') * 10 + (ts[3] - '0');
    int m = (ts[5] - '0') * 10 + (ts[6] - '0');
    int age = m >= 9 ? y + 50 : m >= 3 ? y : y - 1 + 50;
    char c[5];
    for (int i = 0; i < 5; i++)
        c[i] = L[demo_rng_below(r, nl)];
    snprintf(out, 9, "%c%c%02u %c%c%c", c[0], c[1], (unsigned)age % 100u, c[2], c[3], c[4]);
}

static const char *vehicle_note(struct demo_rng *r, int id)
{
    switch (id) { /* pin the edge cases to fixed rows so they always exist */
    case 2:
        return "";
    case 4:
        return "   ";
    case 6:
        return demo_long_notes[0];
    case 9:
        return " \t ";
    case 11:
        return demo_long_notes[1];
    }
    unsigned x = demo_rng_below(r, 1000);
    if (x < 450)
        return NULL;
    if (x < 500)
        return "";
    if (x < 520)
        return "  ";
    if (x < 530)
        return DEMO_ANY(r, long_notes);
    return DEMO_ANY(r, vehicle_notes);
}

static void vehicle_specs(struct demo_rng *r, const struct demo_model *mo, int id,
                          struct demo_tb *t)
{
    demo_tb_reset(t);
    demo_tb_printf(t, "{\"body\":\"%s\",\"payload_kg\":%d,\"seats\":%d,\"length_m\":%d.%02d,",
                      mo->body, mo->payload_kg, mo->seats, mo->length_cm / 100,
                      mo->length_cm % 100);
    demo_tb_printf(t, "\"colour\":\"%s\",", DEMO_ANY(r, colours));
    if (mo->battery_kwh)
        demo_tb_printf(t, "\"battery_kwh\":%d,\"range_km\":%d,", mo->battery_kwh, mo->range_km);
    else
        demo_tb_printf(t, "\"battery_kwh\":null,");
    if (mo->tank_l)
        demo_tb_printf(t, "\"fuel_tank_l\":%d,", mo->tank_l);
    demo_tb_printf(t, "\"features\":[");
    unsigned mask = demo_rng_below(r, 1u << demo_nfeatures), nf = 0;
    for (unsigned i = 0; i < demo_nfeatures; i++)
        if ((mask & (1u << i)) && nf < 4)
            demo_tb_printf(t, "%s\"%s\"", nf++ ? "," : "", demo_features[i]);
    /* A serial past 2^53 shows that JSON numbers are passed through exactly. */
    demo_tb_printf(t, "],\"telematics\":{\"unit\":\"TX-%d\",\"serial\":%llu}}",
                      mo->payload_kg > 5000 ? 900 : 400, 9007199254740993ULL + 2ULL * (unsigned)id);
}

int demo_fill_vehicles(struct demo *dm, struct demo_ins *in)
{
    struct demo_rng r = {0x5eed000000000002ULL};
    char plates[DEMO_VEHICLES + 1][9];
    struct demo_tb specs;
    int rc = SQLITE_OK;
    for (int id = 1; id <= DEMO_VEHICLES && rc == SQLITE_OK; id++) {
        int mi = (int)(DEMO_PICK(&r, demo_models, demo_nmodels) - demo_models);
        const struct demo_model *mo = &demo_models[mi];
        int year = demo_rng_range(&r, mo->first_year, 2026);
        /* Bought between January of the model year and March of the next,
         * and at least ten days before the demo's "now". */
        int64_t lo = DEMO_DATE_TS(year, 1, 1), hi = DEMO_DATE_TS(year + 1, 3, 31);
        if (hi > DEMO_NOW - 10 * DEMO_DAY)
            hi = DEMO_NOW - 10 * DEMO_DAY;
        int64_t bought =
            lo + (int64_t)demo_rng_below(&r, (uint32_t)((hi - lo) / DEMO_DAY)) * DEMO_DAY;
        for (bool dup = true; dup;) { /* plates are UNIQUE */
            make_plate(&r, bought, plates[id]);
            dup = false;
            for (int j = 1; j < id; j++)
                dup = dup || strcmp(plates[j], plates[id]) == 0;
        }
        /* Odometer: yearly mileage times age, +-30 %, in demo_tenths of a km. */
        int64_t age_days = (DEMO_NOW - bought) / DEMO_DAY;
        int64_t odo = (int64_t)mo->km_per_year * age_days / 365 * demo_rng_range(&r, 70, 130) / 10 +
                      demo_rng_range(&r, 0, 9) + 1200; /* delivery mileage */
        int depot = demo_rng_range(&r, 1, DEMO_DEPOTS);
        dm->vehicle_bought[id] = bought;
        dm->vehicle_model[id] = mi;
        dm->vehicle_depot[id] = depot;
        vehicle_specs(&r, mo, id, &specs);

        demo_b_int(in, 1, id);
        demo_b_text(in, 2, plates[id]);
        demo_b_text(in, 3, mo->make);
        demo_b_text(in, 4, mo->model);
        demo_b_int(in, 5, year);
        demo_b_text(in, 6, mo->fuel);
        demo_b_int(in, 7, strcmp(mo->fuel, "electric") == 0);
        demo_b_real(in, 8, demo_tenths(odo));
        demo_b_date(in, 9, bought);
        demo_b_int(in, 10, depot);
        demo_b_text(in, 11, vehicle_note(&r, id));
        demo_b_text(in, 12, id % 37 == 0 ? NULL : specs.s); /* a few without a spec sheet */
        rc = demo_ins_row(in);
    }
    return rc;
}

/* ------------------------------------------------------------------------ */
/* drivers: 1 heads transport, 2-6 supervise the rest, the last four joined
 * in the past two months (no rating yet), about one in eight has left. */

int demo_fill_drivers(struct demo *dm, struct demo_ins *in)
{
    struct demo_rng r = {0x5eed000000000003ULL};
    char emails[DEMO_DRIVERS + 1][96];
    int rc = SQLITE_OK;
    for (int id = 1; id <= DEMO_DRIVERS && rc == SQLITE_OK; id++) {
        const char *first, *last, *fs, *ls;
        if ((size_t)id <= demo_nshowcase) {
            const struct demo_person *p = &demo_showcase[id - 1];
            first = p->first, last = p->last, fs = p->first_slug, ls = p->last_slug;
        } else { /* distinct pairs: 17 is coprime with 40 names, 7 with 41 */
            size_t k = (size_t)id - 1 - demo_nshowcase;
            const struct demo_name *f = &demo_first_names[(k * 17 + 5) % demo_nfirst_names];
            const struct demo_name *l = &demo_last_names[(k * 7 + 3) % demo_nlast_names];
            first = f->name, last = l->name, fs = f->slug, ls = l->slug;
        }
        snprintf(emails[id], sizeof emails[id], "%s.%s@northwind-haulage.example", fs, ls);
        for (int j = 1; j < id; j++)
            if (strcmp(emails[j], emails[id]) == 0)
                snprintf(emails[id], sizeof emails[id], "%s.%s%d@northwind-haulage.example", fs, ls,
                         id);

        int64_t hired;
        if (id == 1)
            hired = DEMO_DATE_TS(2011, 3, 14);
        else if (id <= 6)
            hired = DEMO_DATE_TS(2012, 1, 1) + (int64_t)demo_rng_below(&r, 6 * 365) * DEMO_DAY;
        else if (id > DEMO_DRIVERS - 4)
            hired = (DEMO_NOW / DEMO_DAY - demo_rng_range(&r, 14, 60)) * DEMO_DAY;
        else
            hired = DEMO_DATE_TS(2012, 1, 1) +
                    (int64_t)demo_rng_below(
                        &r, (uint32_t)((DEMO_NOW - DEMO_DATE_TS(2012, 1, 1)) / DEMO_DAY - 90)) *
                        DEMO_DAY;
        hired += demo_rng_range(&r, 7, 9) * 3600 + (demo_rng_below(&r, 2) ? 1800 : 0);

        int64_t left = 0;
        if (id > 6 && id <= DEMO_DRIVERS - 4 && demo_rng_permille(&r, 120)) {
            uint32_t days = (uint32_t)((DEMO_NOW - hired) / DEMO_DAY - 30);
            left = hired + (30 + (int64_t)demo_rng_below(&r, days)) * DEMO_DAY;
        }
        int licence = 3;
        if (id > 6) {
            unsigned x = demo_rng_below(&r, 100);
            licence = x < 45 ? 0 : x < 65 ? 1 : x < 80 ? 2 : 3;
        }
        int supervisor = id == 1                     ? 0
                         : id <= 6                   ? 1
                         : demo_rng_permille(&r, 25) ? 0
                                                     : demo_rng_range(&r, 2, 6);
        int rating = 0; /* demo_tenths; 0 = not rated yet */
        if (hired <= DEMO_NOW - 90 * DEMO_DAY && !demo_rng_permille(&r, 40)) {
            int a = demo_rng_range(&r, 25, 50), b = demo_rng_range(&r, 25, 50);
            rating = a > b ? a : b;
        }
        char phone[24];
        unsigned pk = demo_rng_below(&r, 1000), num = demo_rng_below(&r, 1000);
        snprintf(phone, sizeof phone, pk < 250 ? "07700 900%03u" : "+44 7700 900%03u", num);
        dm->driver_hired[id] = hired;
        dm->driver_left[id] = left;
        dm->driver_licence[id] = licence;

        demo_b_int(in, 1, id);
        demo_b_text(in, 2, first);
        demo_b_text(in, 3, last);
        demo_b_text(in, 4, emails[id]);
        demo_b_text(in, 5, pk < 150 ? NULL : phone);
        demo_b_text(in, 6, demo_licences[licence]);
        demo_b_ts(in, 7, hired);
        demo_b_int(in, 8, left == 0);
        if (supervisor)
            demo_b_int(in, 9, supervisor);
        else
            demo_b_keep(in, sqlite3_bind_null(in->st, 9));
        if (rating)
            demo_b_real(in, 10, demo_tenths(rating));
        else
            demo_b_keep(in, sqlite3_bind_null(in->st, 10));
        rc = demo_ins_row(in);
    }
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Schema and build order. Declared types are chosen so SeeKi's SQLite type
 * mapping shows every display type: INTEGER Number, TEXT Text, REAL Decimal,
 * BOOLEAN Yes/No, DATE Date, DATETIME/TIMESTAMP Date & Time, JSON, BLOB
 * Binary. Indexes come after the rows (faster), on what users sort by. */

static const char schema_sql[] =
    "CREATE TABLE depots (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  city TEXT NOT NULL,\n"
    "  address TEXT,\n"
    "  latitude REAL,\n"
    "  longitude REAL,\n"
    "  opened_on DATE,\n"
    "  is_24h BOOLEAN,\n"
    "  photo BLOB\n"
    ");\n"
    "CREATE TABLE vehicles (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  plate TEXT NOT NULL UNIQUE,\n"
    "  make TEXT NOT NULL,\n"
    "  model TEXT NOT NULL,\n"
    "  year INTEGER NOT NULL,\n"
    "  fuel_type TEXT NOT NULL,\n"
    "  is_electric BOOLEAN NOT NULL,\n"
    "  odometer_km REAL,\n"
    "  purchased_on DATE,\n"
    "  depot_id INTEGER REFERENCES depots(id),\n"
    "  notes TEXT,\n"
    "  specs JSON\n"
    ");\n"
    "CREATE TABLE drivers (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  first_name TEXT NOT NULL,\n"
    "  last_name TEXT NOT NULL,\n"
    "  email TEXT NOT NULL UNIQUE,\n"
    "  phone TEXT,\n"
    "  licence_class TEXT NOT NULL,\n"
    "  hired_at DATETIME NOT NULL,\n"
    "  is_active BOOLEAN NOT NULL,\n"
    "  supervisor_id INTEGER REFERENCES drivers(id),\n"
    "  rating REAL\n"
    ");\n"
    "CREATE TABLE journeys (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  vehicle_id INTEGER NOT NULL REFERENCES vehicles(id),\n"
    "  driver_id INTEGER REFERENCES drivers(id),\n"
    "  started_at TIMESTAMP NOT NULL,\n"
    "  ended_at TIMESTAMP,\n"
    "  distance_km REAL,\n"
    "  origin TEXT NOT NULL,\n"
    "  destination TEXT NOT NULL,\n"
    "  purpose TEXT,\n"
    "  cargo JSON\n"
    ");\n"
    "CREATE TABLE telemetry_log (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  vehicle_id INTEGER NOT NULL REFERENCES vehicles(id),\n"
    "  recorded_at TIMESTAMP NOT NULL,\n"
    "  event TEXT NOT NULL,\n"
    "  level TEXT NOT NULL CHECK (level IN ('info', 'warn', 'error')),\n"
    "  message TEXT,\n"
    "  payload JSON\n"
    ");\n"
    "CREATE VIEW active_drivers AS\n"
    "  SELECT d.id, d.first_name, d.last_name, d.email, d.phone, d.licence_class, d.hired_at,\n"
    "         d.rating, s.first_name || ' ' || s.last_name AS supervisor\n"
    "  FROM drivers d LEFT JOIN drivers s ON s.id = d.supervisor_id\n"
    "  WHERE d.is_active = 1;\n";

static const char index_sql[] =
    "CREATE INDEX journeys_started_at ON journeys(started_at);\n"
    "CREATE INDEX journeys_vehicle_id ON journeys(vehicle_id);\n"
    "CREATE INDEX journeys_driver_id ON journeys(driver_id);\n"
    "CREATE INDEX telemetry_log_recorded_at ON telemetry_log(recorded_at);\n"
    "CREATE INDEX telemetry_log_vehicle_id ON telemetry_log(vehicle_id);\n"
    "CREATE INDEX telemetry_log_level ON telemetry_log(level);\n";

static const struct {
    const char *stage; /* for the caller's error message */
    const char *sql;   /* run once (fill == NULL) or prepared for fill */
    int (*fill)(struct demo *dm, struct demo_ins *in);
} steps[] = {
    {"creating the tables", schema_sql, NULL},
    {"inserting into depots", "INSERT INTO depots VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
     demo_fill_depots},
    {"inserting into vehicles",
     "INSERT INTO vehicles VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
     demo_fill_vehicles},
    {"inserting into drivers",
     "INSERT INTO drivers VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", demo_fill_drivers},
    {"inserting into journeys",
     "INSERT INTO journeys VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
     demo_fill_journeys},
    {"inserting into telemetry_log",
     "INSERT INTO telemetry_log VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", demo_fill_telemetry},
    {"creating indexes", index_sql, NULL},
    /* Statistics let the planner pick the indexes and give row estimates. */
    {"analyzing the tables", "ANALYZE", NULL},
};

int demo_populate(sqlite3 *db, const char **stage)
{
    struct demo *dm = xcalloc(1, sizeof *dm);
    int rc = SQLITE_OK;
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(steps) && rc == SQLITE_OK; i++) {
        *stage = steps[i].stage;
        if (!steps[i].fill) {
            rc = sqlite3_exec(db, steps[i].sql, NULL, NULL, NULL);
            continue;
        }
        struct demo_ins in = {NULL, SQLITE_OK};
        rc = sqlite3_prepare_v2(db, steps[i].sql, -1, &in.st, NULL);
        if (rc == SQLITE_OK)
            rc = steps[i].fill(dm, &in);
        int frc = sqlite3_finalize(in.st);
        if (rc == SQLITE_OK)
            rc = frc;
    }
    free(dm);
    return rc;
}
