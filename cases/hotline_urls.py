app_name = "hotline"

urlpatterns = []
