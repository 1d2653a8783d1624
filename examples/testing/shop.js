// The application code under test: plain mysql2-style code, as it runs against MySQL in production.
export async function addItem(pool, name, price) {
  const [result] = await pool.execute('INSERT INTO item (name, price) VALUES (?, ?)', [name, price]);
  return result.insertId;
}

export async function totalPrice(pool) {
  const [rows] = await pool.query('SELECT COALESCE(SUM(price), 0) AS total FROM item');
  return rows[0].total;
}
