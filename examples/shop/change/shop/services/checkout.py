from shop.domain.discount import bulk_discount


def total(price, quantity, coupon=None):
    off = bulk_discount(quantity)
    if coupon == "HALF":
        return price * quantity / 2
    return price * quantity * (100 - off) / 100
