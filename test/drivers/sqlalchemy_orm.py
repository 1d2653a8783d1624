"""SQLAlchemy ORM checks against a MySQL-compatible server.

Usage: sqlalchemy_orm.py pymysql|mysqldb HOST PORT DATABASE
Prints "ok <check>" per passed check; a failed check ends the script with a traceback (exit 1).
The database must exist and be empty.
"""
import datetime
import decimal
import sys

from sqlalchemy import (Boolean, Column, DateTime, Enum, ForeignKey, Index, Integer, JSON, LargeBinary, Numeric,
                        String, Table, Text, UniqueConstraint, create_engine, func, inspect, select, text)
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlalchemy.orm import Session, declarative_base, relationship, selectinload
from sqlalchemy.orm.exc import StaleDataError

driver_name, host, port, database = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
url = 'mysql+%s://root@%s:%d/%s?charset=utf8mb4' % (driver_name, host, port, database)
engine = create_engine(url, future=True)


def ok(name):
    print('ok ' + name, flush=True)


Base = declarative_base()

book_tags = Table(
    'book_tags', Base.metadata,
    Column('book_id', ForeignKey('books.id', ondelete='CASCADE'), primary_key=True),
    Column('tag_id', ForeignKey('tags.id', ondelete='CASCADE'), primary_key=True),
)


class Author(Base):
    __tablename__ = 'authors'
    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False, unique=True)
    email = Column(String(200))
    active = Column(Boolean, nullable=False, server_default=text('1'))
    created_at = Column(DateTime, nullable=False, server_default=func.now())
    books = relationship('Book', back_populates='author', cascade='all, delete-orphan', order_by='Book.id')


class Book(Base):
    __tablename__ = 'books'
    id = Column(Integer, primary_key=True)
    author_id = Column(Integer, ForeignKey('authors.id', ondelete='CASCADE'), nullable=False, index=True)
    title = Column(String(200), nullable=False)
    price = Column(Numeric(8, 2), nullable=False, default=decimal.Decimal('0'))
    kind = Column(Enum('novel', 'poetry', 'essay', name='book_kind'), nullable=False, default='novel')
    details = Column(JSON)
    cover = Column(LargeBinary)
    summary = Column(Text)
    version = Column(Integer, nullable=False)
    author = relationship('Author', back_populates='books')
    tags = relationship('Tag', secondary=book_tags, back_populates='books', order_by='Tag.label')
    __table_args__ = (UniqueConstraint('author_id', 'title', name='uq_author_title'), Index('ix_books_kind_price', 'kind', 'price'))
    __mapper_args__ = {'version_id_col': version}


class Tag(Base):
    __tablename__ = 'tags'
    id = Column(Integer, primary_key=True)
    label = Column(String(50), nullable=False, unique=True)
    books = relationship('Book', secondary=book_tags, back_populates='tags')


# --- schema: create_all with foreign keys, unique constraints and indexes; a second call changes nothing
Base.metadata.create_all(engine)
Base.metadata.create_all(engine)  # checks has_table() for each table first
assert set(inspect(engine).get_table_names()) == {'authors', 'books', 'tags', 'book_tags'}
ok('create-all')

# --- session CRUD with relationships
with Session(engine) as s:
    ann = Author(name='Ann Leckie', email='ann@example.com')
    ted = Author(name='Ted Chiang')
    sf, short = Tag(label='sf'), Tag(label='short')
    ann.books = [
        Book(title='Ancillary Justice', price=decimal.Decimal('14.99'), tags=[sf], details={'pages': 386, 'awards': ['Hugo', 'Nebula']}),
        Book(title='Provenance', price=decimal.Decimal('12.50'), tags=[sf]),
    ]
    ted.books = [
        Book(title='Exhalation', price=decimal.Decimal('16.00'), kind='essay', tags=[sf, short], cover=b'\x89PNG\r\n\x1a\n\x00\xff'),
        Book(title='Stories of Your Life', price=decimal.Decimal('15.00'), tags=[short], summary='ünïcödé ✓ 🚀'),
    ]
    s.add_all([ann, ted])
    s.commit()
    assert ann.id is not None and ted.id == ann.id + 1
    assert isinstance(ann.created_at, datetime.datetime)  # server default, fetched back
    assert ann.active is True

with Session(engine) as s:
    ted = s.execute(select(Author).where(Author.name == 'Ted Chiang')).scalar_one()
    assert [b.title for b in ted.books] == ['Exhalation', 'Stories of Your Life']
    exhalation = ted.books[0]
    assert exhalation.cover == b'\x89PNG\r\n\x1a\n\x00\xff'
    assert [t.label for t in exhalation.tags] == ['sf', 'short']
    assert ted.books[1].summary == 'ünïcödé ✓ 🚀'
    ancillary = s.execute(select(Book).where(Book.title == 'Ancillary Justice')).scalar_one()
    assert ancillary.details == {'pages': 386, 'awards': ['Hugo', 'Nebula']}
    assert ancillary.price == decimal.Decimal('14.99') and ancillary.version == 1
    # update through the unit of work, checked by the version column
    ancillary.price = decimal.Decimal('9.99')
    s.commit()
    assert ancillary.version == 2
    # delete-orphan removes a book taken off its author; its tag links go with it
    ted.books.remove(ted.books[1])
    s.commit()
    assert s.execute(select(func.count()).select_from(book_tags)).scalar_one() == 4
ok('session-crud')

# --- optimistic locking: SQLAlchemy's MySQL dialects connect with CLIENT_FOUND_ROWS, so an UPDATE that
# matches but changes nothing still counts its row; a stale version matches none and raises StaleDataError.
with Session(engine) as s1, Session(engine) as s2:
    b1 = s1.execute(select(Book).where(Book.title == 'Provenance')).scalar_one()
    b2 = s2.execute(select(Book).where(Book.title == 'Provenance')).scalar_one()
    b1.summary = 'first'
    s1.commit()
    b2.summary = 'second'
    try:
        s2.commit()
        raise AssertionError('a stale version was written')
    except StaleDataError:
        s2.rollback()
with engine.begin() as c:
    # Same values: 0 rows changed, but CLIENT_FOUND_ROWS makes rowcount the matched rows.
    r = c.execute(text("UPDATE books SET summary = 'first' WHERE title = 'Provenance'"))
    assert r.rowcount == 1, r.rowcount
ok('optimistic-locking')

# --- queries: a join with aggregation, eager loading, pagination with LIMIT/OFFSET
with Session(engine) as s:
    rows = s.execute(
        select(Author.name, func.count(Book.id).label('n'), func.sum(Book.price).label('total'))
        .join(Book, Book.author_id == Author.id)
        .group_by(Author.name)
        .order_by(Author.name)
    ).all()
    assert [(r.name, r.n, r.total) for r in rows] == [
        ('Ann Leckie', 2, decimal.Decimal('22.49')), ('Ted Chiang', 1, decimal.Decimal('16.00'))], rows
    tagged = s.execute(
        select(Book.title).join(Book.tags).where(Tag.label == 'sf').order_by(Book.title).limit(2).offset(1)
    ).scalars().all()
    assert tagged == ['Exhalation', 'Provenance'], tagged
    authors = s.execute(select(Author).options(selectinload(Author.books)).order_by(Author.id)).scalars().all()
    assert [len(a.books) for a in authors] == [2, 1]
    outer = s.execute(
        select(Tag.label, func.count(book_tags.c.book_id)).outerjoin(book_tags).group_by(Tag.label).order_by(Tag.label)
    ).all()
    assert [tuple(r) for r in outer] == [('sf', 3), ('short', 1)], outer
    # JSON path access compiles to JSON_EXTRACT
    pages = s.execute(select(Book.details['pages']).where(Book.title == 'Ancillary Justice')).scalar_one()
    assert pages == 386, pages
ok('queries')

# --- constraint errors arrive as IntegrityError with MySQL's errno
def commit_fails(session, row, errno):
    session.add(row)
    try:
        session.commit()
    except IntegrityError as e:
        assert e.orig.args[0] == errno, e.orig.args
        session.rollback()
        return
    raise AssertionError('accepted %r' % row)


with Session(engine) as s:
    commit_fails(s, Author(name='Ann Leckie'), 1062)  # duplicate name
    commit_fails(s, Book(author_id=999, title='orphan'), 1452)  # no such author
try:
    with engine.connect() as c:
        c.execute(text('SELECT * FROM no_such_table'))
    raise AssertionError('no error')
except ProgrammingError as e:
    assert e.orig.args[0] == 1146, e.orig.args
ok('errors')

# --- reflection through the inspector (information_schema and SHOW CREATE TABLE)
insp = inspect(engine)
cols = {c['name']: c for c in insp.get_columns('books')}
assert list(cols) == ['id', 'author_id', 'title', 'price', 'kind', 'details', 'cover', 'summary', 'version'], list(cols)
assert cols['id']['autoincrement'] is True
assert cols['title']['nullable'] is False and cols['title']['type'].length == 200
assert cols['price']['type'].precision == 8 and cols['price']['type'].scale == 2
assert list(cols['kind']['type'].enums) == ['novel', 'poetry', 'essay'], cols['kind']['type']
assert insp.get_pk_constraint('books')['constrained_columns'] == ['id']
assert insp.get_pk_constraint('book_tags')['constrained_columns'] == ['book_id', 'tag_id']
fks = sorted(insp.get_foreign_keys('book_tags'), key=lambda f: f['referred_table'])
assert [(f['constrained_columns'], f['referred_table'], f['referred_columns'], f['options'].get('ondelete')) for f in fks] == [
    (['book_id'], 'books', ['id'], 'CASCADE'), (['tag_id'], 'tags', ['id'], 'CASCADE')], fks
indexes = {i['name']: i for i in insp.get_indexes('books')}
assert indexes['ix_books_kind_price']['column_names'] == ['kind', 'price'], indexes
assert indexes['ix_books_author_id']['column_names'] == ['author_id'], indexes
uniques = {u['name']: u['column_names'] for u in insp.get_unique_constraints('books')}
assert uniques == {'uq_author_title': ['author_id', 'title']}, uniques
if not engine.dialect.is_mariadb:
    assert cols['details']['type'].__class__.__name__ == 'JSON', cols['details']['type']  # MariaDB: LONGTEXT
authors_cols = {c['name']: c for c in insp.get_columns('authors')}
assert 'now()' in str(authors_cols['created_at']['default']).lower() or 'current_timestamp' in str(authors_cols['created_at']['default']).lower(), authors_cols['created_at']
# Table reflection builds a usable Table with its foreign keys
reflected = Table('books', Base.metadata.__class__(), autoload_with=engine)
assert [fk.target_fullname for fk in reflected.foreign_keys] == ['authors.id']
with engine.connect() as c:
    assert c.execute(select(func.count()).select_from(reflected)).scalar_one() == 3
ok('reflection')

# --- isolation levels per engine and per connection, autocommit, and a streamed result (server-side cursor)
iso_engine = create_engine(url, future=True, isolation_level='READ COMMITTED', pool_pre_ping=True)
with iso_engine.connect() as c:
    assert c.get_isolation_level() == 'READ COMMITTED'
    assert c.exec_driver_sql('SELECT @@transaction_isolation').scalar() == 'READ-COMMITTED'
with iso_engine.connect().execution_options(isolation_level='SERIALIZABLE') as c:
    assert c.get_isolation_level() == 'SERIALIZABLE'
with iso_engine.connect().execution_options(isolation_level='AUTOCOMMIT') as c:
    assert c.exec_driver_sql('SELECT @@autocommit').scalar() == 1
with iso_engine.connect() as c:
    streamed = c.execution_options(stream_results=True, max_row_buffer=100).execute(
        text('WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 900) SELECT i FROM n'))
    assert sum(v for part in streamed.partitions(50) for (v,) in part) == 900 * 901 // 2
iso_engine.dispose()
ok('isolation-and-streaming')

# --- drop_all takes the tables down in dependency order
Base.metadata.drop_all(engine)
assert inspect(engine).get_table_names() == []
ok('drop-all')
engine.dispose()
