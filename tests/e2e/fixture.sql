-- SQLite fixture for the browser (e2e) tests: tests/e2e/helpers.mjs feeds it to
-- the sqlite3 CLI in a temp directory. Deterministic: every value follows
-- from the row number, so tests can compute what they expect.

-- people: 300 rows for paging; NULL vs empty string (nickname), booleans with
-- NULL (active), numbers (age, score), timestamps, dates, long text, JSON.
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    nickname TEXT,
    active BOOLEAN,
    age INTEGER,
    score REAL,
    joined_at TIMESTAMP,
    birth_date DATE,
    notes TEXT,
    prefs JSON,
    supervisor_id INTEGER
);

WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 300)
INSERT INTO people
SELECT i,
       -- first names cycle with step 7 over 12 names, so name order differs from id order
       (CASE (i * 7) % 12
            WHEN 0 THEN 'Ada' WHEN 1 THEN 'Bruno' WHEN 2 THEN 'Chen' WHEN 3 THEN 'Dalia'
            WHEN 4 THEN 'Emil' WHEN 5 THEN 'Fatima' WHEN 6 THEN 'Goran' WHEN 7 THEN 'Hana'
            WHEN 8 THEN 'Ines' WHEN 9 THEN 'Jonas' WHEN 10 THEN 'Kofi' ELSE 'Lena' END)
         || ' ' || printf('%03d', i),
       CASE i % 10 WHEN 0 THEN NULL WHEN 1 THEN '' ELSE 'nick' || i END,
       CASE WHEN i % 7 = 0 THEN NULL ELSE i % 2 END,
       CASE WHEN i % 25 = 0 THEN NULL ELSE 18 + (i * 37) % 60 END,
       ((i * 137) % 2500) / 10.0,
       strftime('%Y-%m-%d %H:%M:%S', '2024-01-01 08:00:00', '+' || (i * 3) || ' days',
                '+' || ((i * 37) % 600) || ' minutes'),
       date('1960-01-01', '+' || (i * 97) || ' days'),
       CASE WHEN i % 50 = 3
            THEN 'Long note ' || i || ': ' || replace(printf('%.60c', '*'), '*',
                 'lorem ipsum dolor sit amet ')
            WHEN i % 9 = 0 THEN NULL
            ELSE 'Note for person ' || i END,
       CASE WHEN i % 11 = 0 THEN NULL
            ELSE json_object('theme', CASE i % 2 WHEN 0 THEN 'dark' ELSE 'light' END,
                             'tags', json_array('t' || (i % 5), 'group' || (i % 3)),
                             'limits', json_object('daily', i * 10, 'strict', json('true')))
       END,
       CASE WHEN i > 10 THEN 1 + (i % 10) ELSE NULL END
FROM seq;

-- markup in data must show as text, never run (XSS check)
UPDATE people SET notes = '<img src=x onerror="window.__xss=1"><b>bold?</b>' WHERE id = 2;

-- cities: a small table with a text primary key
CREATE TABLE cities (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT,
    population INTEGER,
    founded DATE
);
INSERT INTO cities VALUES
    ('LIS', 'Lisbon', 'Portugal', 545000, '1147-10-25'),
    ('OSL', 'Oslo', 'Norway', 709000, '1040-01-01'),
    ('NBO', 'Nairobi', 'Kenya', 4397000, '1899-01-01'),
    ('SAO', 'São Paulo', 'Brazil', 12330000, '1554-01-25'),
    ('TYO', 'Tokyo', 'Japan', NULL, NULL);

-- a table with no rows (empty state)
CREATE TABLE empty_things (
    id INTEGER PRIMARY KEY,
    label TEXT
);

-- a table whose name needs URL encoding
CREATE TABLE "team notes" (
    id INTEGER PRIMARY KEY,
    body TEXT,
    pinned BOOLEAN
);
INSERT INTO "team notes" VALUES (1, 'Kick-off on Monday', 1), (2, 'Retro moved', 0);

-- a view
CREATE VIEW adults AS SELECT id, name, age FROM people WHERE age >= 30;
