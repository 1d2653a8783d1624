// Sequelize unchanged through `mizzle router`: a model sharded by id synced to every shard, then create, findByPk, update, destroy, findAll, count and a managed transaction, each shard holding only its rows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Sequelize, DataTypes, type ModelStatic, type Model } from 'sequelize';
import { rowsPerShard, startShardedKeyspace, type ShardedKeyspace } from '../testing/sharded-keyspace.js';

let ks: ShardedKeyspace;
let sequelize: Sequelize;
let Customer: ModelStatic<Model>;

before(async () => {
  ks = await startShardedKeyspace('crm', { customers: { shardKey: 'id' } });
  const router = await ks.startRouter();
  sequelize = new Sequelize('crm', 'root', '', {
    host: '127.0.0.1',
    port: router.port,
    dialect: 'mysql',
    logging: process.env.ORM_LOG_SQL ? (sql: string) => console.error('sequelize>', sql) : false,
    pool: { max: 4, min: 0 },
  });
  // The keyspace's database, created through the router on every shard.
  await sequelize.query('CREATE DATABASE IF NOT EXISTS crm');
  await sequelize.authenticate();
  Customer = sequelize.define('Customer', {
    id: { type: DataTypes.INTEGER, primaryKey: true },
    email: { type: DataTypes.STRING(100), allowNull: false },
    name: { type: DataTypes.STRING(50) },
    credit: { type: DataTypes.DECIMAL(10, 2), allowNull: false, defaultValue: 0 },
  }, { tableName: 'customers' });
  await sequelize.sync();
});

after(async () => {
  await sequelize?.close();
  await ks?.stop();
});

test('Sequelize: create, findByPk, update, destroy by id; findAll and count merged', async () => {
  for (let id = 1; id <= 16; id++) await Customer.create({ id, email: `c${id}@example.org`, name: `C${id}`, credit: id * 2.5 });
  const c3 = await Customer.findByPk(3);
  assert.equal(c3?.get('email'), 'c3@example.org');
  assert.equal(c3?.get('credit'), '7.50');

  await Customer.update({ name: 'Changed' }, { where: { id: 4 } });
  assert.equal((await Customer.findByPk(4))?.get('name'), 'Changed');
  const c6 = await Customer.findByPk(6);
  assert.ok(c6 !== null);
  c6.set('credit', 100);
  await c6.save();
  assert.equal((await Customer.findByPk(6))?.get('credit'), '100.00');

  await Customer.destroy({ where: { id: 5 } });
  assert.equal(await Customer.findByPk(5), null);

  assert.equal(await Customer.count(), 15);
  const top = await Customer.findAll({ attributes: ['id'], order: [['credit', 'DESC'], ['id', 'ASC']], limit: 3 });
  assert.deepEqual(top.map((m) => m.get('id')), [6, 16, 15]);
  assert.equal(Number(await Customer.max('credit')), 100);

  // Each shard holds only some of the rows, and together all of them.
  const counts = await rowsPerShard(ks, 'customers');
  assert.ok(counts.every((n) => n > 0 && n < 15), `rows per shard: ${counts.join(', ')}`);
  assert.equal(counts.reduce((x, y) => x + y, 0), 15);
});

test('Sequelize: a managed transaction on one customer commits', async () => {
  await sequelize.transaction(async (t) => {
    const c = await Customer.findByPk(7, { transaction: t });
    assert.ok(c !== null);
    await Customer.update({ credit: Number(c.get('credit')) + 1 }, { where: { id: 7 }, transaction: t });
  });
  assert.equal((await Customer.findByPk(7))?.get('credit'), '18.50');
});
