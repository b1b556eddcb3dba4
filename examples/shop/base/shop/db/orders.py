ORDERS = {}


def save(order_id, amount):
    ORDERS[order_id] = amount
    return order_id


def find(order_id):
    return ORDERS.get(order_id)
