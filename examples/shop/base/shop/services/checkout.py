from shop.domain.discount import bulk_discount


def total(price, quantity):
    off = bulk_discount(quantity)
    return price * quantity * (100 - off) / 100
