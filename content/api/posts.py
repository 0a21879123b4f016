urlpatterns: list = []  # being written
