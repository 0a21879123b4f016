"""The content API's viewsets, one module per resource."""
