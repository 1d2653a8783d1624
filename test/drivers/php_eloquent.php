<?php
// Laravel's database layer standalone (Debian's php-illuminate-database, with php-doctrine-dbal for column
// renames): schema builder migrations with foreign keys, Eloquent models with relations, JSON, soft deletes,
// upserts and transactions. Usage: php php_eloquent.php HOST PORT DATABASE; prints "ok <check>" per check.

declare(strict_types=1);

require '/usr/share/php/Illuminate/Database/autoload.php';
require '/usr/share/php/Doctrine/DBAL/autoload.php';

use Illuminate\Database\Capsule\Manager as Capsule;
use Illuminate\Database\Eloquent\Model;
use Illuminate\Database\Eloquent\SoftDeletes;
use Illuminate\Database\QueryException;
use Illuminate\Database\Schema\Blueprint;

[$_, $host, $port, $database] = $argv;

function ok(string $name): void { echo "ok $name\n"; }

function check(bool $cond, string $what, mixed $got = null): void {
    if (!$cond) throw new RuntimeException("check failed: $what" . ($got === null ? '' : ' (got ' . var_export($got, true) . ')'));
}

$capsule = new Capsule();
$capsule->addConnection([
    'driver' => 'mysql', 'host' => $host, 'port' => (int)$port, 'database' => $database, 'username' => 'root', 'password' => '',
    'charset' => 'utf8mb4', 'collation' => 'utf8mb4_unicode_ci',
]);
$capsule->setAsGlobal();
$capsule->bootEloquent();
$schema = Capsule::schema();

// ---- migrations through the schema builder
$schema->create('authors', function (Blueprint $t) {
    $t->id();
    $t->string('name')->unique();
    $t->boolean('active')->default(true);
    $t->json('meta')->nullable();
    $t->timestamps();
    $t->softDeletes();
});
$schema->create('posts', function (Blueprint $t) {
    $t->id();
    $t->foreignId('author_id')->constrained()->cascadeOnDelete();
    $t->string('title');
    $t->text('body')->nullable();
    $t->decimal('score', 8, 2)->default(0);
    $t->unsignedInteger('views')->default(0);
    $t->timestamps();
    $t->index(['author_id', 'title']);
});
$schema->table('posts', function (Blueprint $t) {
    $t->string('slug', 80)->nullable()->after('title');
    $t->renameColumn('body', 'content');  // Doctrine DBAL reads the table from information_schema first
});
$schema->table('posts', function (Blueprint $t) {
    $t->dropColumn('slug');
    $t->string('title', 120)->change();
});
check($schema->getColumnListing('posts') === ['id', 'author_id', 'title', 'content', 'score', 'views', 'created_at', 'updated_at'], 'columns', $schema->getColumnListing('posts'));
check($schema->hasColumn('posts', 'content') && !$schema->hasColumn('posts', 'body'), 'renamed column');
ok('schema');

class Author extends Model
{
    use SoftDeletes;
    protected $guarded = [];
    protected $casts = ['meta' => 'array', 'active' => 'boolean'];
    public function posts() { return $this->hasMany(Post::class); }
}

class Post extends Model
{
    protected $guarded = [];
    public function author() { return $this->belongsTo(Author::class); }
}

// ---- Eloquent
$ann = Author::create(['name' => 'Ann', 'meta' => ['x' => 1, 'tags' => ['a']]]);
$ann->posts()->createMany([['title' => 'one', 'score' => 1.5], ['title' => 'two', 'score' => 2.25]]);
$loaded = Author::with('posts')->find($ann->id);
check($loaded->meta === ['x' => 1, 'tags' => ['a']] && $loaded->active === true, 'casts', $loaded->toArray());
check($loaded->posts->pluck('score')->all() === ['1.50', '2.25'], 'eager loading', $loaded->posts->pluck('score')->all());
check(Post::where('author_id', (string)$ann->id)->count() === 2, 'string key');
check(Post::whereHas('author', fn ($q) => $q->where('name', 'Ann'))->count() === 2, 'whereHas');
check(Author::where('meta->x', 1)->pluck('name')->all() === ['Ann'], 'JSON path where');
check(Author::whereJsonContains('meta->tags', 'a')->count() === 1, 'whereJsonContains');
Post::where('title', 'one')->increment('views', 5);
Post::where('title', 'one')->decrement('views', 2);
check(Post::where('title', 'one')->value('views') === 3, 'increment and decrement');
check(Post::orderBy('score', 'desc')->skip(1)->take(1)->value('title') === 'one', 'offset pagination');
ok('eloquent');

// ---- transactions, soft deletes, upserts, errors
Capsule::transaction(function () use ($ann) { $ann->update(['name' => 'Anna']); });
try {
    Capsule::transaction(function () use ($ann) {
        $ann->update(['name' => 'Rolled back']);
        throw new RuntimeException('abort');
    });
} catch (RuntimeException $e) {
}
check(Author::find($ann->id)->name === 'Anna', 'rollback');
$ann->delete();
check(Author::count() === 0 && Author::withTrashed()->count() === 1, 'soft delete');
Author::upsert([['name' => 'Anna', 'active' => false], ['name' => 'Bob', 'active' => true]], ['name'], ['active']);
check(Author::withTrashed()->orderBy('name')->pluck('active', 'name')->all() === ['Anna' => false, 'Bob' => true], 'upsert');
try {
    Post::create(['author_id' => 999, 'title' => 'orphan']);
    throw new RuntimeException('a post without an author was accepted');
} catch (QueryException $e) {
    check($e->errorInfo[0] === '23000' && $e->errorInfo[1] === 1452, 'foreign key error', $e->errorInfo);
}
$ann->forceDelete();
check(Post::count() === 0, 'cascade');
ok('transactions');

$schema->drop('posts');
$schema->drop('authors');
check(!$schema->hasTable('authors'), 'dropped');
ok('drop');
