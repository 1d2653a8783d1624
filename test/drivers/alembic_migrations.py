"""Alembic migrations (SQLAlchemy's migration tool) against a MySQL-compatible server.

Usage: alembic_migrations.py pymysql|mysqldb HOST PORT DATABASE
Runs a chain of migrations upward and back down through Alembic's operations (the same calls a
versions/*.py file makes), with Alembic's version table, then checks that autogenerate's comparison
of the reflected schema with the models finds no difference. Prints "ok <check>" per passed check.
"""
import atexit
import os
import shutil
import sys
import tempfile

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory

driver_name, host, port, database = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
engine = sa.create_engine('mysql+%s://root@%s:%d/%s?charset=utf8mb4' % (driver_name, host, port, database), future=True)


def ok(name):
    print('ok ' + name, flush=True)


def rev_001_up(op):
    op.create_table(
        'customers',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('email', sa.String(120), nullable=False),
        sa.Column('name', sa.String(80)),
        sa.Column('created', sa.DateTime, server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint('email', name='uq_customers_email'),
    )
    op.create_table(
        'orders',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('customer_id', sa.Integer, sa.ForeignKey('customers.id', name='fk_orders_customer', ondelete='CASCADE'), nullable=False),
        sa.Column('total', sa.Numeric(10, 2), nullable=False, server_default='0'),
        sa.Column('status', sa.String(10), nullable=False, server_default='new'),
    )
    op.create_index('ix_orders_status', 'orders', ['status'])


def rev_001_down(op):
    op.drop_table('orders')
    op.drop_table('customers')


def rev_002_up(op):
    # Every ALTER form a migration emits: add, rename and retype columns, change nullability and defaults.
    op.add_column('customers', sa.Column('phone', sa.String(20), nullable=True))
    op.alter_column('customers', 'name', new_column_name='full_name', existing_type=sa.String(80))
    op.alter_column('customers', 'full_name', type_=sa.String(160), existing_type=sa.String(80), nullable=False, existing_nullable=True,
                    server_default='')
    op.alter_column('orders', 'status', server_default='open', existing_type=sa.String(10), existing_nullable=False)
    op.add_column('orders', sa.Column('note', sa.Text))
    op.drop_index('ix_orders_status', table_name='orders')
    op.create_index('ix_orders_status_customer', 'orders', ['status', 'customer_id'])


def rev_002_down(op):
    op.drop_index('ix_orders_status_customer', table_name='orders')
    op.create_index('ix_orders_status', 'orders', ['status'])
    op.drop_column('orders', 'note')
    op.alter_column('orders', 'status', server_default='new', existing_type=sa.String(10), existing_nullable=False)
    op.alter_column('customers', 'full_name', type_=sa.String(80), existing_type=sa.String(160), nullable=True, existing_nullable=False,
                    server_default=None)
    op.alter_column('customers', 'full_name', new_column_name='name', existing_type=sa.String(80))
    op.drop_column('customers', 'phone')


def rev_003_up(op):
    # A lookup table with data, a new foreign key to it, a renamed table, and a bulk insert.
    regions = op.create_table('regions', sa.Column('code', sa.String(4), primary_key=True), sa.Column('label', sa.String(40), nullable=False))
    op.bulk_insert(regions, [{'code': 'eu', 'label': 'Europe'}, {'code': 'us', 'label': 'Americas'}])
    op.add_column('customers', sa.Column('region', sa.String(4), nullable=True))
    op.create_foreign_key('fk_customers_region', 'customers', 'regions', ['region'], ['code'])
    op.execute("UPDATE customers SET region = 'eu'")
    op.rename_table('orders', 'purchases')


def rev_003_down(op):
    op.rename_table('purchases', 'orders')
    op.drop_constraint('fk_customers_region', 'customers', type_='foreignkey')
    op.drop_column('customers', 'region')
    op.drop_table('regions')


REVISIONS = [('001', rev_001_up, rev_001_down), ('002', rev_002_up, rev_002_down), ('003', rev_003_up, rev_003_down)]


def revision_scripts():
    """A script directory holding just the revision chain (no upgrade code), which MigrationContext.stamp() reads."""
    root = tempfile.mkdtemp(prefix='alembic-')
    atexit.register(shutil.rmtree, root, True)
    os.makedirs(os.path.join(root, 'versions'))
    open(os.path.join(root, 'script.py.mako'), 'w').close()
    previous = None
    for rev, _, _ in REVISIONS:
        with open(os.path.join(root, 'versions', rev + '.py'), 'w') as f:
            f.write('revision = %r\ndown_revision = %r\nbranch_labels = None\ndepends_on = None\n' % (rev, previous))
        previous = rev
    cfg = Config()
    cfg.set_main_option('script_location', root)
    return ScriptDirectory.from_config(cfg)


SCRIPTS = revision_scripts()


def migrate(conn, target):
    """Runs revisions up or down to `target` ('' = base), recording each in alembic_version as `alembic upgrade/downgrade` does."""
    ctx = MigrationContext.configure(conn)
    op = Operations(ctx)
    current = ctx.get_current_revision() or ''
    order = [r[0] for r in REVISIONS]
    at = order.index(current) + 1 if current else 0
    goal = order.index(target) + 1 if target else 0
    while at < goal:
        rev, up, _ = REVISIONS[at]
        up(op)
        ctx.stamp(SCRIPTS, rev)
        at += 1
    while at > goal:
        _, _, down = REVISIONS[at - 1]
        down(op)
        at -= 1
        ctx.stamp(SCRIPTS, order[at - 1] if at else 'base')


def version(conn):
    return MigrationContext.configure(conn).get_current_revision()


# --- upgrade to head, step by step
with engine.begin() as conn:
    migrate(conn, '001')
    conn.execute(sa.text("INSERT INTO customers (email, name) VALUES ('a@x.io', 'Ann'), ('b@x.io', NULL)"))
    conn.execute(sa.text('INSERT INTO orders (customer_id, total) VALUES (1, 9.50), (1, 3.25), (2, 1.00)'))
with engine.begin() as conn:
    assert version(conn) == '001'
    assert conn.execute(sa.text('SELECT status FROM orders WHERE id = 1')).scalar_one() == 'new'
ok('upgrade-001')

with engine.begin() as conn:
    # NOT NULL with a default: the NULL name of b@x.io must be filled before, as a real migration would
    conn.execute(sa.text("UPDATE customers SET name = '' WHERE name IS NULL"))
    migrate(conn, '002')
    conn.execute(sa.text("INSERT INTO customers (email) VALUES ('c@x.io')"))
    conn.execute(sa.text('INSERT INTO orders (customer_id, total) VALUES (3, 7.00)'))
with engine.begin() as conn:
    assert version(conn) == '002'
    rows = conn.execute(sa.text('SELECT email, full_name, phone FROM customers ORDER BY id')).all()
    assert [tuple(r) for r in rows] == [('a@x.io', 'Ann', None), ('b@x.io', '', None), ('c@x.io', '', None)], rows
    assert conn.execute(sa.text('SELECT status FROM orders WHERE customer_id = 3')).scalar_one() == 'open'
ok('upgrade-002')

with engine.begin() as conn:
    migrate(conn, '003')
with engine.begin() as conn:
    assert version(conn) == '003'
    assert conn.execute(sa.text('SELECT COUNT(*) FROM purchases')).scalar_one() == 4
    assert conn.execute(sa.text("SELECT COUNT(*) FROM customers WHERE region = 'eu'")).scalar_one() == 3
    try:
        conn.execute(sa.text("UPDATE customers SET region = 'xx' WHERE id = 1"))
        raise AssertionError('the new foreign key is not enforced')
    except sa.exc.IntegrityError as e:
        assert e.orig.args[0] == 1452, e.orig.args
ok('upgrade-003')

# --- autogenerate's comparison: the reflected schema matches the models the migrations describe
target = sa.MetaData()
sa.Table('regions', target, sa.Column('code', sa.String(4), primary_key=True), sa.Column('label', sa.String(40), nullable=False))
sa.Table('customers', target,
         sa.Column('id', sa.Integer, primary_key=True),
         sa.Column('email', sa.String(120), nullable=False),
         sa.Column('full_name', sa.String(160), nullable=False, server_default=''),
         sa.Column('created', sa.DateTime, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
         sa.Column('phone', sa.String(20)),
         sa.Column('region', sa.String(4), sa.ForeignKey('regions.code', name='fk_customers_region')),
         sa.UniqueConstraint('email', name='uq_customers_email'))
sa.Table('purchases', target,
         sa.Column('id', sa.Integer, primary_key=True),
         sa.Column('customer_id', sa.Integer, sa.ForeignKey('customers.id', name='fk_orders_customer', ondelete='CASCADE'), nullable=False),
         # MySQL 8 shows a numeric default quoted and at the column's scale ('0.00'); Alembic renders a plain one unquoted
         sa.Column('total', sa.Numeric(10, 2), nullable=False, server_default=sa.text("'0.00'")),
         sa.Column('status', sa.String(10), nullable=False, server_default='open'),
         sa.Column('note', sa.Text),
         sa.Index('ix_orders_status_customer', 'status', 'customer_id'))
with engine.connect() as conn:
    ctx = MigrationContext.configure(conn, opts={'compare_type': True, 'compare_server_default': True})
    diff = [d for d in compare_metadata(ctx, target) if not (d[0] == 'remove_table' and d[1].name == 'alembic_version')]
    assert diff == [], diff
ok('autogenerate-no-diff')

# --- downgrade to base, then up again: every down step undoes its up step
with engine.begin() as conn:
    migrate(conn, '001')
with engine.begin() as conn:
    assert version(conn) == '001'
    assert set(sa.inspect(conn).get_table_names()) == {'alembic_version', 'customers', 'orders'}
    cols = [c['name'] for c in sa.inspect(conn).get_columns('customers')]
    assert cols == ['id', 'email', 'name', 'created'], cols
    assert [i['name'] for i in sa.inspect(conn).get_indexes('orders') if i['name'].startswith('ix_')] == ['ix_orders_status']
    assert conn.execute(sa.text('SELECT COUNT(*) FROM orders')).scalar_one() == 4
with engine.begin() as conn:
    migrate(conn, '')
    assert version(conn) is None
    migrate(conn, '003')
    assert version(conn) == '003'
ok('downgrade-and-again')
engine.dispose()
