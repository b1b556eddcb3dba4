from shop.domain.discount import bulk_discount


def test_bulk_orders_get_ten_percent():
    assert bulk_discount(150) == 10


def test_small_orders_pay_full_price():
    assert bulk_discount(10) == 0


def test_loyal_bulk_orders_get_fifteen_percent():
    assert bulk_discount(150, loyal=True) == 15
