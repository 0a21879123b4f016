"""The content API's serializers, one module per resource."""
