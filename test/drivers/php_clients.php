<?php
// PDO (emulated and native prepares) and mysqli checks against a MySQL-compatible server.
// Usage: php php_clients.php HOST PORT DATABASE
// Prints "ok <check>" per passed check; a failed check ends the script with an error (exit 1).
// The database must exist and be empty; the script creates its own tables.

declare(strict_types=1);

[$_, $host, $port, $database] = $argv;
$port = (int)$port;

function ok(string $name): void { echo "ok $name\n"; }

function check(bool $cond, string $what, mixed $got = null): void {
    if (!$cond) throw new RuntimeException("check failed: $what" . ($got === null ? '' : ' (got ' . var_export($got, true) . ')'));
}

/** Runs $fn and returns the exception of class $class it throws; fails when it throws none. */
function expectThrow(string $class, callable $fn): Throwable {
    try {
        $fn();
    } catch (Throwable $e) {
        check($e instanceof $class, "exception class $class", get_class($e) . ': ' . $e->getMessage());
        return $e;
    }
    throw new RuntimeException("no $class thrown");
}

set_error_handler(function (int $no, string $msg, string $file, int $line): bool {
    throw new ErrorException($msg, 0, $no, $file, $line);
});

function pdo(bool $emulate, array $extra = []): PDO {
    global $host, $port, $database;
    return new PDO("mysql:host=$host;port=$port;dbname=$database;charset=utf8mb4", 'root', '', $extra + [
        PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
        PDO::ATTR_EMULATE_PREPARES => $emulate,
        PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
    ]);
}

$binary = "\x00\x01\xff'\"\\\x80PNG";

// ---------------------------------------------------------------- PDO, once with emulated prepares (values
// escaped into the text) and once with native ones (COM_STMT_PREPARE / EXECUTE, the binary protocol)
foreach (['emulated' => true, 'native' => false] as $mode => $emulate) {
    $db = pdo($emulate);
    $t = "pdo_$mode";
    $db->exec("CREATE TABLE $t (
        id INT AUTO_INCREMENT PRIMARY KEY,
        name VARCHAR(100) NOT NULL UNIQUE,
        qty INT NULL,
        price DECIMAL(10,2) NULL,
        ratio DOUBLE NULL,
        big BIGINT NULL,
        data VARBINARY(32) NULL,
        born DATE NULL,
        seen DATETIME(3) NULL,
        active TINYINT(1) NOT NULL DEFAULT 1
    )");
    check($db->getAttribute(PDO::ATTR_DRIVER_NAME) === 'mysql', 'driver name');
    check((bool)preg_match('/^\d+\.\d+/', $db->getAttribute(PDO::ATTR_SERVER_VERSION)), 'server version', $db->getAttribute(PDO::ATTR_SERVER_VERSION));
    ok("pdo-$mode-connect");

    // named and positional parameters, typed binds, NULL, bytes, unicode; lastInsertId
    $ins = $db->prepare("INSERT INTO $t (name, qty, price, ratio, big, data, born, seen, active) VALUES (:name, :qty, :price, :ratio, :big, :data, :born, :seen, :active)");
    $ins->bindValue(':name', 'Zoë 🐘 “q” \'s\' \\ %_');
    $ins->bindValue(':qty', 42, PDO::PARAM_INT);
    $ins->bindValue(':price', '1234.50');
    $ins->bindValue(':ratio', '0.125');
    $ins->bindValue(':big', '-9223372036854775808');
    $ins->bindValue(':data', $binary, PDO::PARAM_LOB);
    $ins->bindValue(':born', '2024-02-29');
    $ins->bindValue(':seen', '2024-12-31 23:59:58.123');
    $ins->bindValue(':active', false, PDO::PARAM_BOOL);
    $ins->execute();
    check($ins->rowCount() === 1, 'insert rowCount', $ins->rowCount());
    check($db->lastInsertId() === '1', 'lastInsertId', $db->lastInsertId());
    $pos = $db->prepare("INSERT INTO $t (name, qty, price) VALUES (?, ?, ?)");
    foreach ([['b', 2, '2.00'], ['c', null, null], ['d', 4, '4.25']] as $row) $pos->execute($row);
    check($db->lastInsertId() === '4', 'lastInsertId after re-executions', $db->lastInsertId());
    $row = $db->query("SELECT * FROM $t WHERE id = 1")->fetch();
    check($row['name'] === 'Zoë 🐘 “q” \'s\' \\ %_', 'unicode round trip', $row['name']);
    check($row['qty'] === 42, 'INT as int', $row['qty']);  // PHP 8.1+: native ints with both kinds of prepares
    check($row['price'] === '1234.50', 'DECIMAL as exact string', $row['price']);
    check($row['ratio'] === 0.125, 'DOUBLE as float', $row['ratio']);
    check($row['big'] === PHP_INT_MIN, 'BIGINT minimum', $row['big']);
    check($row['data'] === $binary, 'bytes round trip', bin2hex((string)$row['data']));
    check($row['born'] === '2024-02-29' && $row['seen'] === '2024-12-31 23:59:58.123', 'temporal text', [$row['born'], $row['seen']]);
    check($row['active'] === 0, 'bool stored as 0', $row['active']);
    $nulls = $db->query("SELECT qty, price FROM $t WHERE name = 'c'")->fetch(PDO::FETCH_NUM);
    check($nulls === [null, null], 'NULLs', $nulls);
    ok("pdo-$mode-params");

    // LIMIT/OFFSET placeholders (every ORM's pagination): ints bound as ints
    $page = $db->prepare("SELECT name FROM $t ORDER BY id LIMIT :lim OFFSET :off");
    $page->bindValue(':lim', 2, PDO::PARAM_INT);
    $page->bindValue(':off', 1, PDO::PARAM_INT);
    $page->execute();
    check($page->fetchAll(PDO::FETCH_COLUMN) === ['b', 'c'], 'LIMIT ? OFFSET ?');
    ok("pdo-$mode-limit");

    // fetch modes
    $all = $db->query("SELECT id, name FROM $t ORDER BY id")->fetchAll(PDO::FETCH_KEY_PAIR);
    check(array_slice($all, 1, null, true) === [2 => 'b', 3 => 'c', 4 => 'd'], 'FETCH_KEY_PAIR', $all);
    $obj = $db->query("SELECT name, qty FROM $t WHERE id = 2")->fetch(PDO::FETCH_OBJ);
    check($obj->name === 'b' && $obj->qty === 2, 'FETCH_OBJ', $obj);
    $both = $db->query("SELECT name FROM $t WHERE id = 2")->fetch(PDO::FETCH_BOTH);
    check($both === ['name' => 'b', 0 => 'b'], 'FETCH_BOTH', $both);
    $grouped = $db->query("SELECT active, name FROM $t ORDER BY id")->fetchAll(PDO::FETCH_GROUP | PDO::FETCH_COLUMN);
    check($grouped === [0 => ['Zoë 🐘 “q” \'s\' \\ %_'], 1 => ['b', 'c', 'd']], 'FETCH_GROUP', $grouped);
    $st = $db->query("SELECT id, price FROM $t ORDER BY id");
    $st->bindColumn('price', $boundPrice);
    $prices = [];
    while ($st->fetch(PDO::FETCH_BOUND)) $prices[] = $boundPrice;
    check($prices === ['1234.50', '2.00', null, '4.25'], 'FETCH_BOUND', $prices);
    $meta = $db->query("SELECT id, name, price, seen FROM $t LIMIT 1")->getColumnMeta(2);
    check($meta['name'] === 'price' && $meta['native_type'] === 'NEWDECIMAL' && $meta['precision'] === 2 && $meta['table'] === $t, 'getColumnMeta', $meta);
    ok("pdo-$mode-fetch-modes");

    // transactions
    check($db->beginTransaction() && $db->inTransaction(), 'begin');
    $db->exec("UPDATE $t SET qty = 0");
    $db->rollBack();
    check(!$db->inTransaction(), 'rolled back');
    check((int)$db->query("SELECT COUNT(*) FROM $t WHERE qty = 0")->fetchColumn() === 0, 'rollback discards');
    $db->beginTransaction();
    $affected = $db->exec("UPDATE $t SET qty = qty + 1 WHERE qty IS NOT NULL");
    check($affected === 3, 'exec affected rows', $affected);
    $db->commit();
    check((int)$db->query("SELECT SUM(qty) FROM $t")->fetchColumn() === 51, 'commit keeps');
    ok("pdo-$mode-transactions");

    // errors: PDOException's code is the SQLSTATE, errorInfo [SQLSTATE, MySQL errno, message]
    $e = expectThrow(PDOException::class, fn () => $db->exec("INSERT INTO $t (name) VALUES ('b')"));
    check($e->getCode() === '23000' && $e->errorInfo[0] === '23000' && $e->errorInfo[1] === 1062, 'duplicate key', $e->errorInfo);
    check(str_contains($e->errorInfo[2], "Duplicate entry 'b'"), 'message', $e->errorInfo[2]);
    $e = expectThrow(PDOException::class, fn () => $db->query('SELECT * FROM no_such_table'));
    check($e->errorInfo[0] === '42S02' && $e->errorInfo[1] === 1146, 'unknown table', $e->errorInfo);
    $e = expectThrow(PDOException::class, fn () => $db->prepare('SELEC ?')->execute([1]));
    check($e->errorInfo[0] === '42000' && $e->errorInfo[1] === 1064, 'syntax error', $e->errorInfo);
    $bad = $db->prepare("INSERT INTO $t (name, qty) VALUES (?, ?)");
    $e = expectThrow(PDOException::class, fn () => $bad->execute([null, 1]));
    check($e->errorInfo[0] === '23000' && $e->errorInfo[1] === 1048, 'NOT NULL', $e->errorInfo);
    check($bad->errorInfo()[1] === 1048, 'statement errorInfo', $bad->errorInfo());
    $silent = pdo($emulate, [PDO::ATTR_ERRMODE => PDO::ERRMODE_SILENT]);
    check($silent->query("SELECT nope FROM $t") === false, 'silent failure');
    check($silent->errorInfo()[0] === '42S22' && $silent->errorInfo()[1] === 1054, 'silent errorInfo', $silent->errorInfo());
    check($silent->errorCode() === '42S22', 'errorCode');
    ok("pdo-$mode-errors");

    // unbuffered (streamed) results, then the connection is usable again
    $stream = pdo($emulate, [PDO::MYSQL_ATTR_USE_BUFFERED_QUERY => false]);
    $st = $stream->query("SELECT id FROM $t ORDER BY id");
    check($st->fetchColumn() === 1 && $st->fetchColumn() === 2, 'streamed rows');
    $st->closeCursor();
    check((int)$stream->query("SELECT COUNT(*) FROM $t")->fetchColumn() === 4, 'usable after closeCursor');
    ok("pdo-$mode-unbuffered");

    // several statements in one call, read with nextRowset(); a server-side prepare takes one statement only
    if ($emulate) {
        $multi = $db->query("SELECT 1 AS a; SELECT 'x' AS b, 2 AS c");
        check($multi->fetchAll() === [['a' => 1]], 'first rowset');
        check($multi->nextRowset(), 'second rowset');
        check($multi->fetchAll() === [['b' => 'x', 'c' => 2]], 'second rowset rows');
        check(!$multi->nextRowset(), 'no third rowset');
    } else {
        $e = expectThrow(PDOException::class, fn () => $db->query("SELECT 1 AS a; SELECT 'x' AS b, 2 AS c"));
        check($e->errorInfo[1] === 1064, 'two statements in one prepare', $e->errorInfo);
    }
    ok("pdo-$mode-multi");

    // CLIENT_FOUND_ROWS: an UPDATE that matches but changes nothing counts the matched row
    $found = pdo($emulate, [PDO::MYSQL_ATTR_FOUND_ROWS => true]);
    check($found->exec("UPDATE $t SET qty = qty WHERE id = 2") === 1, 'found rows');
    check($db->exec("UPDATE $t SET qty = qty WHERE id = 2") === 0, 'changed rows');
    ok("pdo-$mode-found-rows");
}

// ---------------------------------------------------------------- mysqli
mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
$m = new mysqli($host, 'root', '', $database, $port);
$m->set_charset('utf8mb4');
check($m->character_set_name() === 'utf8mb4', 'charset', $m->character_set_name());
check($m->server_version >= 50000, 'server_version', $m->server_version);
$m->query('CREATE TABLE mi (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL, n INT, amount DECIMAL(6,2), bin BLOB)');
$esc = $m->real_escape_string($binary);
$m->query("INSERT INTO mi (name, n, amount, bin) VALUES ('o\\'brien', 1, 1.50, '$esc'), ('b', 2, NULL, NULL)");
check($m->affected_rows === 2 && $m->insert_id === 1, 'affected_rows, insert_id', [$m->affected_rows, $m->insert_id]);
check($m->info === 'Records: 2  Duplicates: 0  Warnings: 0', 'info', $m->info);
$res = $m->query('SELECT id, name, n, amount, bin FROM mi ORDER BY id');
check($res->num_rows === 2 && $res->field_count === 5, 'num_rows', $res->num_rows);
$first = $res->fetch_assoc();
// the text protocol gives strings (MYSQLI_OPT_INT_AND_FLOAT_NATIVE is off), prepared statements typed values
check($first['name'] === "o'brien" && $first['n'] === '1' && $first['amount'] === '1.50' && $first['bin'] === $binary, 'fetch_assoc', bin2hex(serialize($first)));
check($res->fetch_row() === ['2', 'b', '2', null, null], 'fetch_row', null);
$fields = $res->fetch_fields();
check($fields[3]->name === 'amount' && $fields[3]->type === MYSQLI_TYPE_NEWDECIMAL && $fields[3]->decimals === 2, 'fetch_fields', $fields[3]);
$keyFlags = MYSQLI_PRI_KEY_FLAG | MYSQLI_PART_KEY_FLAG | MYSQLI_AUTO_INCREMENT_FLAG | MYSQLI_NOT_NULL_FLAG;
check(($fields[0]->flags & $keyFlags) === $keyFlags && ($fields[1]->flags & MYSQLI_PART_KEY_FLAG) === 0, 'key flags', $fields[0]->flags);
$res->free();
$m->query("SELECT CAST('7x' AS SIGNED)")->free();
check($m->warning_count === 1, 'warning_count', $m->warning_count);
$w = $m->get_warnings();
check($w->errno === 1292, 'get_warnings', $w->errno);
ok('mysqli-query');

// prepared statements: bind_param types i, s, d, b (send_long_data), get_result and bind_result
$st = $m->prepare('INSERT INTO mi (name, n, amount, bin) VALUES (?, ?, ?, ?)');
$name = 'ünï'; $n = 3; $amount = 9.75; $blob = null;
$st->bind_param('sidb', $name, $n, $amount, $blob);
$st->send_long_data(3, substr($binary, 0, 5));
$st->send_long_data(3, substr($binary, 5));
$st->execute();
check($st->affected_rows === 1 && $st->insert_id === 3, 'stmt insert', [$st->affected_rows, $st->insert_id]);
$name = 'again'; $n = 4; $amount = 0.5;
$st->execute();
check($st->insert_id === 4, 'stmt re-execute');
$st->close();
$sel = $m->prepare('SELECT id, name, amount, bin FROM mi WHERE n >= ? ORDER BY id LIMIT ?');
$min = 3; $limit = 5;
$sel->bind_param('ii', $min, $limit);
$sel->execute();
$rows = $sel->get_result()->fetch_all(MYSQLI_ASSOC);
check(count($rows) === 2 && $rows[0]['name'] === 'ünï' && $rows[0]['amount'] === '9.75' && $rows[0]['bin'] === $binary, 'get_result', $rows);
$min = 4;
$sel->execute();
$sel->bind_result($id, $nm, $amt, $bn);
$sel->store_result();
check($sel->num_rows === 1, 'store_result num_rows', $sel->num_rows);
check($sel->fetch() === true && $id === 4 && $nm === 'again' && $amt === '0.50', 'bind_result', [$id, $nm, $amt]);
check($sel->fetch() === null, 'end of rows');
$meta = $sel->result_metadata()->fetch_fields();
check(array_map(fn ($f) => $f->name, $meta) === ['id', 'name', 'amount', 'bin'], 'result_metadata');
$sel->close();
ok('mysqli-prepared');

// transactions and errors (mysqli_sql_exception carries errno and SQLSTATE)
$m->begin_transaction();
$m->query("DELETE FROM mi");
$m->rollback();
check((int)$m->query('SELECT COUNT(*) FROM mi')->fetch_row()[0] === 4, 'rollback');
$m->autocommit(false);
$m->query("UPDATE mi SET n = 10 WHERE id = 1");
$m->commit();
$m->autocommit(true);
check((int)$m->query('SELECT n FROM mi WHERE id = 1')->fetch_row()[0] === 10, 'commit');
$e = expectThrow(mysqli_sql_exception::class, fn () => $m->query('INSERT INTO mi (name) VALUES (NULL)'));
check($e->getCode() === 1048 && $e->getSqlState() === '23000', 'mysqli NOT NULL error', [$e->getCode(), $e->getSqlState()]);
$e = expectThrow(mysqli_sql_exception::class, fn () => $m->prepare('SELECT * FROM nowhere WHERE id = ?'));
check($e->getCode() === 1146 && $e->getSqlState() === '42S02', 'mysqli prepare error', [$e->getCode(), $e->getSqlState()]);
check($m->errno === 1146, 'errno');
ok('mysqli-transactions-errors');

// multi_query
$m->multi_query("SELECT 1; SELECT 2, 3; UPDATE mi SET n = n WHERE id = 0");
$sets = [];
do {
    if ($r = $m->store_result()) { $sets[] = $r->fetch_all(); $r->free(); }
    else $sets[] = $m->affected_rows;
} while ($m->more_results() && $m->next_result());
check($sets === [[['1']], [['2', '3']], 0], 'multi_query', $sets);
ok('mysqli-multi-query');

// connection commands: COM_STATISTICS, COM_INIT_DB, COM_CHANGE_USER, COM_PROCESS_KILL (mysqli::kill)
check(str_starts_with($m->stat(), 'Uptime: '), 'stat', $m->stat());
$m->select_db('information_schema');
check($m->query('SELECT DATABASE()')->fetch_row()[0] === 'information_schema', 'select_db');
check($m->change_user('root', '', $database), 'change_user');
check($m->query('SELECT DATABASE(), @@autocommit')->fetch_row() === [$database, '1'], 'after change_user');
$victim = new mysqli($host, 'root', '', $database, $port);
check($m->kill($victim->thread_id), 'kill');
// A KILL answers once the victim's connection is closed, also when it is on another worker thread.
$e = null;
try {
    $victim->query('SELECT 1');
} catch (mysqli_sql_exception $caught) {
    $e = $caught;
}
check($e !== null && in_array($e->getCode(), [2006, 2013], true), 'killed connection is gone', $e?->getCode());
$e = expectThrow(mysqli_sql_exception::class, fn () => $m->kill(987654321));
check($e->getCode() === 1094, 'unknown thread id', $e->getCode());
check($m->query('SELECT 1')->fetch_row() === ['1'], 'usable after a failed kill');
ok('mysqli-connection-commands');
$m->close();
