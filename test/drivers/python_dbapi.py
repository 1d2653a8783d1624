"""DB-API checks against a MySQL-compatible server, run with PyMySQL or mysqlclient (MySQLdb).

Usage: python_dbapi.py pymysql|mysqldb HOST PORT DATABASE
Prints "ok <check>" per passed check; a failed check ends the script with a traceback (exit 1).
The database must exist and be empty; the script creates its own tables.
"""
import datetime
import decimal
import sys

driver_name, host, port, database = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

if driver_name == 'pymysql':
    import pymysql as driver
    import pymysql.cursors as cursors
    SSCursor = cursors.SSCursor
    DictCursor = cursors.DictCursor
    def connect(**kw):
        return driver.connect(host=host, port=port, user='root', password='', database=database, charset='utf8mb4', **kw)
elif driver_name == 'mysqldb':
    import MySQLdb as driver
    import MySQLdb.cursors as cursors
    SSCursor = cursors.SSCursor
    DictCursor = cursors.DictCursor
    def connect(**kw):
        return driver.connect(host=host, port=port, user='root', passwd='', db=database, charset='utf8mb4', **kw)
else:
    raise SystemExit('unknown driver ' + driver_name)


def ok(name):
    print('ok ' + name, flush=True)


def errno_of(exc):
    return exc.args[0]


conn = connect()
cur = conn.cursor()

# --- connect: the server identifies itself and the session has the database we asked for
cur.execute('SELECT DATABASE(), VERSION(), @@autocommit')
db, version, autocommit = cur.fetchone()
assert db == database, db
assert isinstance(version, str) and version[0].isdigit(), version
assert autocommit == 0, autocommit  # both drivers turn autocommit off on connect (PEP 249)
ok('connect')

# --- DDL
cur.execute('''CREATE TABLE items (
  id INT AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  note TEXT NULL,
  payload VARBINARY(64) NULL,
  price DECIMAL(10,2) NULL,
  ratio DOUBLE NULL,
  born DATE NULL,
  seen DATETIME(6) NULL,
  at_time TIME NULL,
  flag TINYINT(1) NULL,
  big BIGINT UNSIGNED NULL,
  UNIQUE KEY uq_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4''')
cur.execute('SHOW TABLES')
assert ('items',) in [tuple(r) for r in cur.fetchall()]
ok('ddl')

# --- parameterized inserts: unicode, bytes, decimals, dates, NULL
row = (
    'Zoë 🐍 “quoted” \'single\' back\\slash',
    'multi\nline\ttext',
    b'\x00\x01\xff\'"\\binary',
    decimal.Decimal('12345678.90'),
    1.5e-3,
    datetime.date(2024, 2, 29),
    datetime.datetime(2024, 12, 31, 23, 59, 58, 123456),
    datetime.timedelta(hours=30, minutes=2, seconds=3),  # PyMySQL sends '30:02:03', mysqlclient '1 6:2:3'
    True,
    18446744073709551615,
)
cur.execute('INSERT INTO items (name, note, payload, price, ratio, born, seen, at_time, flag, big) '
            'VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)', row)
assert cur.rowcount == 1, cur.rowcount
first_id = cur.lastrowid
assert first_id == 1, first_id
cur.execute('INSERT INTO items (name, note, payload, price, born) VALUES (%s, %s, %s, %s, %s)',
            ('nulls', None, None, None, None))
assert cur.lastrowid == 2, cur.lastrowid
conn.commit()
cur.execute('SELECT name, note, payload, price, ratio, born, seen, at_time, flag, big FROM items WHERE id = %s', (first_id,))
got = cur.fetchone()
assert got[0] == row[0], got[0]
assert got[1] == row[1], got[1]
assert bytes(got[2]) == row[2], got[2]
assert got[3] == row[3] and isinstance(got[3], decimal.Decimal), got[3]
assert got[4] == row[4], got[4]
assert got[5] == row[5], got[5]
assert got[6] == row[6], got[6]
assert got[7] == row[7], got[7]
# Negative times are read back as negative timedeltas. (Both drivers write a negative timedelta wrongly,
# '-2:57:57' and '-1 22:57:57' for -01:02:03, and MySQL reads those as written, so none is sent here.)
cur.execute("SELECT CAST('-01:02:03.5' AS TIME(1))")
assert cur.fetchone()[0] == -datetime.timedelta(hours=1, minutes=2, seconds=3, microseconds=500000)
assert got[8] == 1, got[8]
assert got[9] == row[9], got[9]
cur.execute('SELECT note, payload, price, born FROM items WHERE name = %s', ('nulls',))
assert cur.fetchone() == (None, None, None, None)
# A parameter holding a percent sign and a LIKE pattern with a hyphen go through the driver's escaping.
cur.execute('SELECT COUNT(*) FROM items WHERE note LIKE %s OR name LIKE %s', ('%line%', 'Zo%-%'))
assert cur.fetchone()[0] == 1
ok('parameterized-types')

# --- column metadata: description names and types
cur.execute('SELECT id, name, price, born, seen FROM items WHERE id = 1')
names = [d[0] for d in cur.description]
assert names == ['id', 'name', 'price', 'born', 'seen'], names
FIELD_TYPE = driver.constants.FIELD_TYPE
types = [d[1] for d in cur.description]
assert types == [FIELD_TYPE.LONG, FIELD_TYPE.VAR_STRING, FIELD_TYPE.NEWDECIMAL, FIELD_TYPE.DATE, FIELD_TYPE.DATETIME], types
cur.fetchall()
ok('description')

# --- executemany: both drivers rewrite a plain INSERT ... VALUES into one multi-row statement
cur.executemany('INSERT INTO items (name, price) VALUES (%s, %s)',
                [('bulk-%d' % i, decimal.Decimal(i) / 4) for i in range(50)])
assert cur.rowcount == 50, cur.rowcount
# ... and run any other statement once per parameter set.
cur.executemany('UPDATE items SET ratio = %s WHERE name = %s', [(0.5, 'bulk-1'), (0.25, 'bulk-2')])
assert cur.rowcount == 2, cur.rowcount
conn.commit()
cur.execute("SELECT COUNT(*), SUM(price) FROM items WHERE name LIKE 'bulk-%%'")
count, total = cur.fetchone()
assert count == 50 and total == decimal.Decimal('306.25'), (count, total)
ok('executemany')

# --- transactions: rollback discards, commit keeps, and another connection sees only committed rows
other = connect()
other.autocommit(True)
ocur = other.cursor()
cur.execute("INSERT INTO items (name) VALUES ('rolled-back')")
conn.rollback()
cur.execute("SELECT COUNT(*) FROM items WHERE name = 'rolled-back'")
assert cur.fetchone()[0] == 0
cur.execute("INSERT INTO items (name) VALUES ('committed')")
ocur.execute("SELECT COUNT(*) FROM items WHERE name = 'committed'")
assert ocur.fetchone()[0] == 0  # not yet committed
conn.commit()
ocur.execute("SELECT COUNT(*) FROM items WHERE name = 'committed'")
assert ocur.fetchone()[0] == 1
conn.autocommit(True)
cur.execute('SELECT @@autocommit')
assert cur.fetchone()[0] == 1
conn.begin()
cur.execute("DELETE FROM items WHERE name = 'committed'")
conn.rollback()
cur.execute("SELECT COUNT(*) FROM items WHERE name = 'committed'")
assert cur.fetchone()[0] == 1
conn.autocommit(False)
ok('transactions')

# --- errors map to the DB-API exception classes with MySQL's errno
def expect_error(sql, args, exc_class, errno):
    try:
        cur.execute(sql, args)
    except exc_class as e:
        assert errno_of(e) == errno, (sql, e.args)
        return e
    raise AssertionError('no %s for %s' % (exc_class.__name__, sql))

expect_error('INSERT INTO items (name) VALUES (%s)', ('nulls',), driver.IntegrityError, 1062)
# PyMySQL raises IntegrityError for 1048, mysqlclient 1.4 OperationalError (its own table, not the server's choice).
expect_error('INSERT INTO items (name) VALUES (%s)', (None,), driver.IntegrityError if driver_name == 'pymysql' else driver.OperationalError, 1048)
expect_error('SELEC 1', None, driver.ProgrammingError, 1064)
expect_error('SELECT * FROM no_such_table', None, driver.ProgrammingError, 1146)
expect_error('SELECT no_such_column FROM items', None, driver.OperationalError, 1054)
expect_error('SELECT * FROM items WHERE id = 1 FOR UPDATE NOWAIT LIMIT', None, driver.ProgrammingError, 1064)
conn.rollback()
# The connection stays usable after errors.
cur.execute('SELECT 1')
assert cur.fetchone()[0] == 1
ok('errors')

# --- server-side cursor: rows stream as they are read
conn.commit()
ss = conn.cursor(SSCursor)
ss.execute('SELECT id, name FROM items ORDER BY id')
first = ss.fetchone()
assert first[0] == 1, first
some = ss.fetchmany(10)
assert len(some) == 10 and some[0][0] == 2, some
rest = list(ss)
assert len(rest) == 53 - 11, len(rest)
ss.close()
# A fresh streaming cursor closed before the end leaves the connection usable.
ss = conn.cursor(SSCursor)
ss.execute('SELECT id FROM items ORDER BY id')
ss.fetchone()
ss.close()
cur.execute('SELECT COUNT(*) FROM items')
assert cur.fetchone()[0] == 53
# A result of many packets read in batches: every row once (20000 rows: a cross join, under cte_max_recursion_depth).
ss = conn.cursor(SSCursor)
ss.execute('WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 199) '
           'SELECT a.i * 100 + b.i + 1, REPEAT(%s, 20) FROM n a JOIN n b ON b.i < 100', ('ab',))
seen = set()
while True:
    batch = ss.fetchmany(1500)
    if not batch:
        break
    for i, text in batch:
        assert text == 'ab' * 20 and i not in seen, i
        seen.add(i)
assert seen == set(range(1, 20001)), len(seen)
ss.close()
ok('server-side-cursor')

# --- dict cursor and multiple result sets
dc = conn.cursor(DictCursor)
dc.execute('SELECT id, name AS label FROM items WHERE id = %s', (2,))
assert dc.fetchone() == {'id': 2, 'label': 'nulls'}
dc.close()
ok('dict-cursor')

# --- upserts through executemany (rewritten into one INSERT ... ON DUPLICATE KEY UPDATE)
cur.executemany('INSERT INTO items (name, price) VALUES (%s, %s) ON DUPLICATE KEY UPDATE price = VALUES(price)',
                [('bulk-0', decimal.Decimal('9.99')), ('fresh', decimal.Decimal('1.00'))])
assert cur.rowcount == 3, cur.rowcount  # 2 for the updated row, 1 for the inserted one
conn.commit()
cur.execute("SELECT price FROM items WHERE name IN ('bulk-0', 'fresh') ORDER BY name")
assert [r[0] for r in cur.fetchall()] == [decimal.Decimal('9.99'), decimal.Decimal('1.00')]
ok('upsert')

# --- warnings reach the client
cur.execute("SELECT CAST('12abc' AS SIGNED)")
assert cur.fetchone()[0] == 12
cur.execute('SHOW WARNINGS')
warnings = cur.fetchall()
assert len(warnings) == 1 and warnings[0][1] == 1292, warnings
ok('warnings')

# --- several statements in one query, read with nextset()
multi = connect(client_flag=driver.constants.CLIENT.MULTI_STATEMENTS)
mcur = multi.cursor()
mcur.execute('SELECT 1 AS a; SELECT 2 AS b, 3 AS c; UPDATE items SET ratio = 1 WHERE id = -1')
assert mcur.fetchall() == ((1,),)
assert mcur.nextset()
assert mcur.fetchall() == ((2, 3),) and [d[0] for d in mcur.description] == ['b', 'c']
assert mcur.nextset()
assert mcur.rowcount == 0
assert not mcur.nextset()
multi.close()
ok('multi-statements')

# --- a ping and a clean close
conn.ping()
other.close()
cur.close()
conn.close()
ok('close')
