"""Django's ORM on mysqlclient against a MySQL-compatible server.

Usage: django_orm.py HOST PORT DATABASE
makemigrations and migrate (Django's own apps and a small one of ours, with a foreign key, indexes and
a JSON field), ORM queries, transactions and savepoints, introspection, then migrating back to zero.
Prints "ok <check>" per passed check. The app is written to a temporary directory, so its generated
migrations never land in the repository.
"""
import atexit
import decimal
import os
import shutil
import sys
import tempfile

host, port, database = sys.argv[1], int(sys.argv[2]), sys.argv[3]

MODELS = '''
from django.db import models


class Customer(models.Model):
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=80)
    created = models.DateTimeField(auto_now_add=True)


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name='orders')
    total = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=10, default='new', db_index=True)
    data = models.JSONField(null=True)

    class Meta:
        indexes = [models.Index(fields=['customer', 'status'], name='order_customer_status')]
'''

root = tempfile.mkdtemp(prefix='django-')
atexit.register(shutil.rmtree, root, True)
os.makedirs(os.path.join(root, 'shop'))
open(os.path.join(root, 'shop', '__init__.py'), 'w').close()
with open(os.path.join(root, 'shop', 'models.py'), 'w') as f:
    f.write(MODELS)
sys.path.insert(0, root)

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(
    INSTALLED_APPS=['django.contrib.contenttypes', 'django.contrib.auth', 'shop'],
    DATABASES={'default': {'ENGINE': 'django.db.backends.mysql', 'NAME': database, 'USER': 'root', 'PASSWORD': '',
                           'HOST': host, 'PORT': port, 'OPTIONS': {'charset': 'utf8mb4'}}},
    USE_TZ=True, TIME_ZONE='Europe/Paris', DEFAULT_AUTO_FIELD='django.db.models.AutoField',
)
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import IntegrityError, connection, transaction  # noqa: E402
from django.db.models import Count, F, Q, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402
from shop.models import Customer, Order  # noqa: E402


def ok(name):
    print('ok ' + name, flush=True)


call_command('makemigrations', 'shop', verbosity=0)
call_command('migrate', verbosity=0)
assert not connection.mysql_is_mariadb
with connection.cursor() as cur:
    tables = set(connection.introspection.table_names(cur))
assert {'django_migrations', 'auth_user', 'shop_customer', 'shop_order'} <= tables, tables
ok('migrate')

ann = Customer.objects.create(email='ann@x.io', name='Ann')
Order.objects.create(customer=ann, total=decimal.Decimal('9.50'), data={'tags': ['a', 'b'], 'n': 1})
Order.objects.bulk_create([Order(customer=ann, total=decimal.Decimal(i)) for i in range(1, 5)])
summary = Customer.objects.annotate(n=Count('orders'), s=Sum('orders__total')).values('name', 'n', 's').get()
assert summary == {'name': 'Ann', 'n': 5, 's': decimal.Decimal('19.50')}, summary
assert list(Order.objects.filter(data__tags__contains='a').values_list('total', flat=True)) == [decimal.Decimal('9.50')]
assert list(Order.objects.filter(data__n=1).values_list('total', flat=True)) == [decimal.Decimal('9.50')]
assert Order.objects.filter(Q(total__gt=2) | Q(status='x')).update(status='big') == 3
assert list(Order.objects.order_by('-total').values_list('total', flat=True)[1:3]) == [decimal.Decimal(4), decimal.Decimal(3)]
# __date with USE_TZ and a zone: CONVERT_TZ from UTC to Europe/Paris on the server
today = timezone.localdate()
assert Customer.objects.filter(created__date=today).count() == 1
ok('queries')

with transaction.atomic():
    Order.objects.select_for_update().filter(customer=ann).update(total=F('total') + 1)
    try:
        with transaction.atomic():  # a savepoint
            Customer.objects.create(email='ann@x.io', name='again')
        raise AssertionError('duplicate e-mail accepted')
    except IntegrityError as e:
        assert e.args[0] == 1062, e.args
    Customer.objects.create(email='bob@x.io', name='Bob')
assert Customer.objects.count() == 2
assert Order.objects.aggregate(s=Sum('total'))['s'] == decimal.Decimal('24.50')
user = User.objects.create_user('joe', 'joe@x.io', 'secret')
assert User.objects.get(username='joe').check_password('secret') and user.pk
ok('transactions')

with connection.cursor() as cur:
    constraints = connection.introspection.get_constraints(cur, 'shop_order')
    columns = [c.name for c in connection.introspection.get_table_description(cur, 'shop_order')]
fks = [c for c in constraints.values() if c['foreign_key']]
assert [c['foreign_key'] for c in fks] == [('shop_customer', 'id')], constraints
assert constraints['order_customer_status']['columns'] == ['customer_id', 'status'] and constraints['order_customer_status']['index']
assert columns == ['id', 'total', 'status', 'data', 'customer_id'], columns
ann.delete()  # cascades to the orders
assert Order.objects.count() == 0
ok('introspection')

call_command('migrate', 'shop', 'zero', verbosity=0)
with connection.cursor() as cur:
    assert 'shop_order' not in connection.introspection.table_names(cur)
ok('migrate-zero')
