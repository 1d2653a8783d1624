// One seeded database for the whole run; each test opens its own copy of it in milliseconds.
import { Mizzle } from 'mizzle';

export async function seedShop() {
  const seed = await Mizzle.open({ engine: 'memory' });
  await seed.query('CREATE DATABASE shop');
  await seed.query('CREATE TABLE shop.item (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL UNIQUE, price DECIMAL(8,2) NOT NULL)');
  await seed.query("INSERT INTO shop.item (name, price) VALUES ('pen', 1.50), ('ink', 4.25)");
  const snapshot = seed.snapshot();
  await seed.close();
  return snapshot;
}
