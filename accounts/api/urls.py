from accounts.api import auth, pictures, users

urlpatterns = [*auth.urlpatterns, *users.urlpatterns, *pictures.urlpatterns]
