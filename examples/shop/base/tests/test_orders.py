from shop.db.orders import find, save


def test_a_saved_order_is_found():
    save("a1", 20.0)
    assert find("a1") == 20.0
