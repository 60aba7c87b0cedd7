"""The applications REST API: serializers, filters, viewsets and statistics endpoints."""
