"""The REST API's shared machinery (``base``: error shape, pagination, ordering, schema;
``csv_export``; ``filters``), the token page (``tokens``) and the URL map (``urls``)."""
