/* The demo's two big tables: two years of journeys (about 20,000) and a year
 * of vehicle telemetry (210,000 log lines), generated in time order so ids
 * follow time as in a real system. Start times are drawn, sorted, then
 * filled in; everything else follows from the vehicles and drivers that
 * fill.c generated. Deterministic like the rest (demo_int.h). */
#include "demo/demo_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t isqrt64(int64_t v)
{
    if (v <= 0)
        return 0;
    int64_t x = v, y = (x + 1) / 2;
    while (y < x) {
        x = y;
        y = (x + v / x) / 2;
    }
    return x;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A moment in [from, to) (from at midnight): a day chosen uniformly, weekend
 * days kept with probability weekend_keep permille, the hour drawn from
 * hour_w and the second within it uniformly. */
static int64_t pick_time(struct demo_rng *r, int64_t from, int64_t to, unsigned weekend_keep,
                         const unsigned hour_w[24])
{
    uint32_t ndays = (uint32_t)((to - from) / DEMO_DAY) + 1, total = 0;
    for (int h = 0; h < 24; h++)
        total += hour_w[h];
    for (;;) {
        int64_t day = from / DEMO_DAY + demo_rng_below(r, ndays);
        int wd = (int)((day + 4) % 7); /* 0 = Sunday: 1970-01-01 was a Thursday */
        if ((wd == 0 || wd == 6) && !demo_rng_permille(r, weekend_keep))
            continue;
        uint32_t x = demo_rng_below(r, total);
        int h = 0;
        while (x >= hour_w[h])
            x -= hour_w[h++];
        int64_t t = day * DEMO_DAY + h * 3600 + demo_rng_below(r, 3600);
        if (t >= from && t < to)
            return t;
    }
}

/* A vehicle already owned at t (bought at least a day before). */
static int pick_vehicle(const struct demo *dm, struct demo_rng *r, int64_t t)
{
    for (int tries = 0; tries < 50; tries++) {
        int v = demo_rng_range(r, 1, DEMO_VEHICLES);
        if (dm->vehicle_bought[v] + DEMO_DAY <= t)
            return v;
    }
    for (int v = 1; v <= DEMO_VEHICLES; v++)
        if (dm->vehicle_bought[v] + DEMO_DAY <= t)
            return v;
    return 1;
}

/* A driver employed at t holding at least licence need; 0 (NULL) for an
 * unassigned yard move or when nobody fits. */
static int pick_driver(const struct demo *dm, struct demo_rng *r, int64_t t, int need)
{
    if (demo_rng_permille(r, 8))
        return 0;
    for (int tries = 0; tries < 60; tries++) {
        int d = demo_rng_range(r, 1, DEMO_DRIVERS);
        if (dm->driver_hired[d] <= t && (!dm->driver_left[d] || t < dm->driver_left[d]) &&
            dm->driver_licence[d] >= need)
            return d;
    }
    return 0;
}
/* Hours of the day journeys start (05:00-21:59, a morning peak) and log
 * lines are recorded (around the clock, quieter at night). */
static const unsigned journey_hours[24] = {0, 0, 0, 0, 0, 2, 6, 10, 10, 9, 8, 7,
                                           7, 7, 7, 6, 5, 4, 3, 2,  1,  1, 0, 0};
static const unsigned telemetry_hours[24] = {1, 1, 1, 1, 2, 4, 8, 10, 10, 10, 9, 9,
                                             9, 9, 9, 9, 8, 7, 5, 4,  3,  2,  2, 1};

/* Road distance between two places in tenths of a km: the straight line on a
 * flat map at British latitudes (1e-5 degree = 1.112 m north, 0.69 m east)
 * times a detour factor of 1.25-1.50, plus a few km of town driving. */
static int64_t road_km_x10(struct demo_rng *r, const struct demo_place *a,
                           const struct demo_place *b)
{
    int64_t dy = (int64_t)(b->lat_e5 - a->lat_e5) * 1112 / 1000;
    int64_t dx = (int64_t)(b->lon_e5 - a->lon_e5) * 1112 * 62 / 100000;
    int64_t metres = isqrt64(dy * dy + dx * dx);
    return metres * demo_rng_range(r, 125, 150) / 10000 + demo_rng_range(r, 20, 90);
}

/* A destination other than place o among n places (the last two abroad):
 * usually the nearest of four random candidates, so most runs are regional;
 * now and then anywhere, and abroad rarely. */
static uint32_t pick_destination(struct demo_rng *r, uint32_t o, uint32_t n)
{
    const struct demo_place *from = &demo_places[o];
    uint32_t best = o;
    int64_t best_d2 = INT64_MAX;
    for (int k = demo_rng_permille(r, 750) ? 4 : 1; k > 0;) {
        uint32_t c = demo_rng_below(r, demo_rng_permille(r, 15) ? n : n - 2);
        if (c == o)
            continue;
        int64_t dy = demo_places[c].lat_e5 - from->lat_e5;
        int64_t dx = (demo_places[c].lon_e5 - from->lon_e5) * 62 / 100;
        if (dy * dy + dx * dx < best_d2) {
            best = c;
            best_d2 = dy * dy + dx * dx;
        }
        k--;
    }
    return best;
}

/* The journey's cargo as JSON, or NULL for no load. t and id make the
 * purchase-order reference; running journeys have no signature yet. */
static const char *cargo_json(struct demo_rng *r, enum demo_cargo kind, int64_t id, int64_t t,
                              bool running, struct demo_tb *c)
{
    if (kind == DEMO_CARGO_NONE)
        return NULL;
    if (kind == DEMO_CARGO_EMPTY)
        return demo_rng_permille(r, 300) ? "{}" : "{\"items\":[]}";
    char ts[20];
    demo_format_ts(t, ts);
    demo_tb_reset(c);
    demo_tb_printf(c, "{\"ref\":\"PO-%.4s-%06lld\",\"items\":[", ts, (long long)id);
    bool chilled = kind == DEMO_CARGO_CHILLED, hazmat = false;
    int64_t total = 0;
    unsigned used = 0; /* bit i: demo_skus[i] already listed */
    for (int k = 0, n = demo_rng_range(r, 1, chilled ? 2 : 4); k < n; k++) {
        uint32_t si;
        do
            si = demo_rng_below(r, (uint32_t)demo_nskus);
        while (demo_skus[si].chilled != chilled || (used & (1u << si)));
        used |= 1u << si;
        const struct demo_sku *s = &demo_skus[si];
        int qty = demo_rng_range(r, 1, s->max_qty);
        int64_t kg = (int64_t)qty * s->unit_kg_x10;
        demo_tb_printf(c,
                          "%s{\"sku\":\"%s\",\"description\":\"%s\",\"qty\":%d,"
                          "\"weight_kg\":%lld.%lld}",
                          k ? "," : "", s->sku, s->description, qty, (long long)(kg / 10),
                          (long long)(kg % 10));
        total += kg;
        hazmat = hazmat || s->hazmat;
    }
    demo_tb_printf(c, "],\"total_kg\":%lld.%lld,\"hazmat\":%s,\"temperature_c\":",
                      (long long)(total / 10), (long long)(total % 10), hazmat ? "true" : "false");
    if (chilled)
        demo_tb_printf(c, "%d", demo_rng_permille(r, 300) ? -18 : demo_rng_range(r, 2, 5));
    else
        demo_tb_printf(c, "null");
    if (kind != DEMO_CARGO_COLLECT && !running && !demo_rng_permille(r, 100))
        demo_tb_printf(c, ",\"signed_by\":\"%s\"}", DEMO_ANY(r, recipients));
    else
        demo_tb_printf(c, ",\"signed_by\":null}");
    return c->s;
}

/* The purpose text: mostly a short phrase, sometimes NULL, empty, blank or
 * a long briefing (over 300 characters, some with line breaks). */
static const char *purpose_text(struct demo_rng *r, const struct demo_purpose *p, const char *dest,
                                struct demo_tb *t)
{
    unsigned x = demo_rng_below(r, 1000);
    if (x < 40)
        return NULL;
    if (x < 55)
        return "";
    if (x < 63)
        return "  ";
    if (x < 83) {
        uint32_t k = demo_rng_below(r, (uint32_t)demo_nlong_purposes / 2) * 2;
        demo_tb_reset(t);
        demo_tb_printf(t, "%s%s%s", demo_long_purposes[k], dest,
                          demo_long_purposes[k + 1]);
        return t->s;
    }
    return p->text;
}

int demo_fill_journeys(struct demo *dm, struct demo_ins *in)
{
    struct demo_rng r = {0x5eed000000000004ULL};
    const int64_t from = DEMO_DATE_TS(2024, 5, 1), to = DEMO_NOW - 20 * 60;
    const uint32_t nplaces = (uint32_t)demo_nplaces;
    int64_t *starts = xmalloc(DEMO_JOURNEYS * sizeof *starts);
    for (size_t i = 0; i < DEMO_JOURNEYS; i++)
        starts[i] = pick_time(&r, from, to, 350, journey_hours);
    qsort(starts, DEMO_JOURNEYS, sizeof *starts, cmp_i64);

    struct demo_tb purpose, cargo;
    int rc = SQLITE_OK;
    for (size_t i = 0; i < DEMO_JOURNEYS && rc == SQLITE_OK; i++) {
        const int64_t id = (int64_t)i + 1, t = starts[i];
        const int v = pick_vehicle(dm, &r, t);
        const struct demo_model *mo = &demo_models[dm->vehicle_model[v]];
        const int driver = pick_driver(dm, &r, t, mo->licence);
        /* From the vehicle's own depot more often than not; abroad rarely. */
        uint32_t o = demo_rng_permille(&r, 550) ? (uint32_t)dm->vehicle_depot[v] - 1
                                                : demo_rng_below(&r, nplaces - 2);
        const uint32_t d = pick_destination(&r, o, nplaces);
        const int64_t km10 = road_km_x10(&r, &demo_places[o], &demo_places[d]);
        const int64_t end = t + km10 * 360 / mo->speed_kmh + demo_rng_range(&r, 5, 45) * 60;
        const bool running = end > DEMO_NOW; /* still on the road at "now" */
        const struct demo_purpose *p = DEMO_PICK(&r, demo_purposes, demo_npurposes);

        demo_b_int(in, 1, id);
        demo_b_int(in, 2, v);
        if (driver)
            demo_b_int(in, 3, driver);
        else
            demo_b_keep(in, sqlite3_bind_null(in->st, 3));
        demo_b_ts(in, 4, t);
        if (running) {
            demo_b_keep(in, sqlite3_bind_null(in->st, 5));
            demo_b_keep(in, sqlite3_bind_null(in->st, 6));
        } else {
            demo_b_ts(in, 5, end);
            demo_b_real(in, 6, demo_tenths(km10));
        }
        demo_b_text(in, 7, demo_places[o].name);
        demo_b_text(in, 8, demo_places[d].name);
        demo_b_text(in, 9, purpose_text(&r, p, demo_places[d].name, &purpose));
        demo_b_text(in, 10, cargo_json(&r, p->cargo, id, t, running, &cargo));
        rc = demo_ins_row(in);
    }
    free(starts);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* telemetry_log */

enum demo_event {
    EV_IGNITION_ON,
    EV_IGNITION_OFF,
    EV_GPS_FIX,
    EV_IDLE,
    EV_HARSH_BRAKING,
    EV_SPEEDING,
    EV_LOW_ENERGY, /* fuel_low, or battery_low for electric vehicles */
    EV_TYRE,
    EV_ENGINE_FAULT,
    EV_DOOR,
    EV_GEOFENCE_IN,
    EV_GEOFENCE_OUT,
    EV_TEMPERATURE,
    EV_FIRMWARE,
    EV_NO_SIGNAL,
    EV_DRIVER_NOTE
};

static const struct {
    enum demo_event ev;
    const char *name;
    unsigned weight; /* per mille, roughly */
} events[] = {
    {EV_IGNITION_ON, "ignition_on", 180},
    {EV_IGNITION_OFF, "ignition_off", 180},
    {EV_GPS_FIX, "gps_fix", 300},
    {EV_IDLE, "idle", 50},
    {EV_HARSH_BRAKING, "harsh_braking", 40},
    {EV_SPEEDING, "speeding", 40},
    {EV_LOW_ENERGY, "fuel_low", 30},
    {EV_TYRE, "tyre_pressure", 20},
    {EV_ENGINE_FAULT, "engine_fault", 3},
    {EV_DOOR, "door_open", 50},
    {EV_GEOFENCE_IN, "geofence_enter", 60},
    {EV_GEOFENCE_OUT, "geofence_exit", 60},
    {EV_TEMPERATURE, "temperature_alert", 6},
    {EV_FIRMWARE, "firmware_update", 3},
    {EV_NO_SIGNAL, "connection_lost", 5},
    {EV_DRIVER_NOTE, "driver_note", 5},
};

/* Fills level, message (t->s, or NULL) and payload (p->s, or NULL) for one
 * event of vehicle model mo near lat/lon (degrees * 1e5). Returns the event
 * name to store. */
static const char *event_row(struct demo_rng *r, enum demo_event ev, const char *name,
                             const struct demo_model *mo, const char *place, int lat, int lon,
                             const char **level, struct demo_tb *t, struct demo_tb *p)
{
    const double la = (double)lat / 100000.0, lo = (double)lon / 100000.0;
    const bool electric = strcmp(mo->fuel, "electric") == 0;
    *level = "info";
    demo_tb_reset(t);
    demo_tb_reset(p);
    switch (ev) {
    case EV_IGNITION_ON:
        demo_tb_printf(t, "Ignition on at %s", place);
        demo_tb_printf(p, "{\"lat\":%.5f,\"lon\":%.5f,\"battery_v\":12.%d}", la, lo,
                          demo_rng_range(r, 1, 9));
        break;
    case EV_IGNITION_OFF:
        demo_tb_printf(t, "Ignition off after %d min of driving", demo_rng_range(r, 3, 240));
        demo_tb_printf(p, "{\"lat\":%.5f,\"lon\":%.5f,\"trip_km\":%d.%d}", la, lo,
                          demo_rng_range(r, 1, 320), demo_rng_range(r, 0, 9));
        break;
    case EV_GPS_FIX:
        if (!demo_rng_permille(r, 100)) /* the unit sometimes sends no text */
            demo_tb_printf(t, "Position %.5f, %.5f (%d satellites)", la, lo,
                              demo_rng_range(r, 4, 14));
        demo_tb_printf(p, "{\"lat\":%.5f,\"lon\":%.5f,\"speed_kmh\":%d,\"heading\":%d}", la, lo,
                          demo_rng_range(r, 0, 110), demo_rng_range(r, 0, 359));
        break;
    case EV_IDLE: {
        int min = demo_rng_range(r, 3, 25);
        *level = min > 10 ? "warn" : "info";
        demo_tb_printf(t, "Engine idling for %d min at %s", min, place);
        demo_tb_printf(p, "{\"idle_s\":%d}", min * 60 + demo_rng_range(r, 0, 59));
        break;
    }
    case EV_HARSH_BRAKING: {
        int v0 = demo_rng_range(r, 40, 100), v1 = demo_rng_range(r, 0, v0 - 30);
        *level = "warn";
        demo_tb_printf(t, "Harsh braking: %d → %d km/h in %d.%d s", v0, v1,
                          demo_rng_range(r, 1, 3), demo_rng_range(r, 0, 9));
        demo_tb_printf(p, "{\"lat\":%.5f,\"lon\":%.5f,\"decel_g\":0.%02d}", la, lo,
                          demo_rng_range(r, 35, 80));
        break;
    }
    case EV_SPEEDING: {
        static const int limits[] = {30, 40, 50, 60, 70};
        int lim = limits[demo_rng_below(r, 5)], mph = lim + demo_rng_range(r, 4, 18);
        const char *road = DEMO_ANY(r, roads);
        *level = "warn";
        demo_tb_printf(t, "Speed %d mph in a %d mph zone on %s", mph, lim, road);
        demo_tb_printf(p, "{\"speed_mph\":%d,\"limit_mph\":%d,\"road\":\"%s\"}", mph, lim, road);
        break;
    }
    case EV_LOW_ENERGY: {
        int pct = demo_rng_range(r, 4, 15);
        *level = "warn";
        if (electric) {
            name = "battery_low";
            demo_tb_printf(t, "Battery at %d%%, estimated range %d km", pct,
                              mo->range_km * pct / 100);
            demo_tb_printf(p, "{\"soc_pct\":%d,\"range_km\":%d}", pct, mo->range_km * pct / 100);
        } else {
            demo_tb_printf(t, "Fuel at %d%%; nearest station \"%s\"", pct,
                              DEMO_ANY(r, stations));
            demo_tb_printf(p, "{\"fuel_pct\":%d}", pct);
        }
        break;
    }
    case EV_TYRE: {
        static const char *const pos[] = {"front left", "front right", "rear left", "rear right",
                                          "rear left, inner"};
        const char *at = pos[demo_rng_below(r, 5)];
        int bar = demo_rng_range(r, 21, 30);
        *level = "warn";
        demo_tb_printf(t, "Tyre pressure low: %s at %d.%d bar (expected 3.5)", at, bar / 10,
                          bar % 10);
        demo_tb_printf(p, "{\"position\":\"%s\",\"bar\":%d.%d}", at, bar / 10, bar % 10);
        break;
    }
    case EV_ENGINE_FAULT: {
        uint32_t npairs = (uint32_t)demo_nfault_codes / 2;
        uint32_t k = electric ? npairs - 1 : demo_rng_below(r, npairs - 1); /* last: EV pack */
        *level = "error";
        demo_tb_printf(t, "Engine fault %s\n%s", demo_fault_codes[2 * k],
                          demo_fault_codes[2 * k + 1]);
        if (demo_rng_permille(r, 400))
            demo_tb_printf(t, "\nDriver advised to stop at the next safe place.");
        demo_tb_printf(p,
                          "{\"dtc\":\"%s\",\"mil\":true,\"freeze_frame\":{\"rpm\":%d,"
                          "\"coolant_c\":%d}}",
                          demo_fault_codes[2 * k], electric ? 0 : demo_rng_range(r, 700, 3200),
                          demo_rng_range(r, 60, 104));
        break;
    }
    case EV_DOOR: {
        const char *door = demo_rng_permille(r, 700) ? "rear" : "side";
        demo_tb_printf(t, "Cargo door (%s) opened at %s", door, place);
        demo_tb_printf(p, "{\"door\":\"%s\",\"lat\":%.5f,\"lon\":%.5f}", door, la, lo);
        break;
    }
    case EV_GEOFENCE_IN:
    case EV_GEOFENCE_OUT: {
        const char *g = DEMO_ANY(r, geofences);
        demo_tb_printf(t, "%s geofence \"%s\"", ev == EV_GEOFENCE_IN ? "Entered" : "Left", g);
        demo_tb_printf(p, "{\"geofence\":\"%s\",\"lat\":%.5f,\"lon\":%.5f}", g, la, lo);
        break;
    }
    case EV_TEMPERATURE: {
        int c10 = demo_rng_range(r, 52, 120);
        *level = c10 > 90 ? "error" : "warn";
        demo_tb_printf(t, "Reefer temperature %d.%d °C, above the 5.0 °C limit", c10 / 10,
                          c10 % 10);
        demo_tb_printf(p, "{\"temp_c\":%d.%d,\"setpoint_c\":3}", c10 / 10, c10 % 10);
        break;
    }
    case EV_FIRMWARE:
        demo_tb_printf(t, "Telematics firmware updated 4.2.1 → 4.3.0");
        demo_tb_printf(p, "{\"from\":\"4.2.1\",\"to\":\"4.3.0\",\"reboot\":true}");
        break;
    case EV_NO_SIGNAL:
        *level = "error";
        demo_tb_printf(t, "No signal for %d min; %d events buffered and uploaded on reconnect",
                          demo_rng_range(r, 5, 90), demo_rng_range(r, 3, 400));
        break;
    case EV_DRIVER_NOTE:
        demo_tb_printf(t, "%s", DEMO_ANY(r, driver_notes));
        break;
    }
    return name;
}

int demo_fill_telemetry(struct demo *dm, struct demo_ins *in)
{
    struct demo_rng r = {0x5eed000000000005ULL};
    const int64_t from = DEMO_NOW / DEMO_DAY * DEMO_DAY - 365 * DEMO_DAY, to = DEMO_NOW;
    int64_t *times = xmalloc(DEMO_TELEMETRY * sizeof *times);
    for (size_t i = 0; i < DEMO_TELEMETRY; i++)
        times[i] = pick_time(&r, from, to, 500, telemetry_hours);
    qsort(times, DEMO_TELEMETRY, sizeof *times, cmp_i64);

    struct demo_tb msg, payload;
    int rc = SQLITE_OK;
    for (size_t i = 0; i < DEMO_TELEMETRY && rc == SQLITE_OK; i++) {
        const int64_t t = times[i];
        const int v = pick_vehicle(dm, &r, t);
        const struct demo_model *mo = &demo_models[dm->vehicle_model[v]];
        const struct demo_place *home = &demo_places[dm->vehicle_depot[v] - 1];
        const struct demo_place *at =
            demo_rng_permille(&r, 600)
                ? home
                : &demo_places[demo_rng_below(&r, (uint32_t)demo_nplaces - 2)];
        const int lat = at->lat_e5 + demo_rng_range(&r, -9000, 9000);
        const int lon = at->lon_e5 + demo_rng_range(&r, -14000, 14000);
        const size_t e = (size_t)(DEMO_PICK(&r, events, SEEKI_ARRAY_LEN(events)) - events);
        const char *level;
        const char *name = event_row(&r, events[e].ev, events[e].name, mo, at->name, lat, lon,
                                     &level, &msg, &payload);
        const bool no_payload = payload.n == 0 || demo_rng_permille(&r, 150);

        demo_b_int(in, 1, (int64_t)i + 1);
        demo_b_int(in, 2, v);
        demo_b_ts(in, 3, t);
        demo_b_text(in, 4, name);
        demo_b_text(in, 5, level);
        demo_b_text(in, 6, msg.n ? msg.s : NULL);
        demo_b_text(in, 7, no_payload ? NULL : payload.s);
        rc = demo_ins_row(in);
    }
    free(times);
    return rc;
}
