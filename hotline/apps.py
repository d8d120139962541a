from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "hotline"
    verbose_name = "12345热线与接口"

    def ready(self):
        from hotline.views import request_panel
        from residents.panels import register_request_panel

        register_request_panel(request_panel)  # the work order on its request's page

        from hotline import queue
        from residents.queue_rows import register_row_deadlines

        register_row_deadlines("hotline", queue.ANNOTATIONS, queue.describe)  # 签收/办结期限 in the queue
