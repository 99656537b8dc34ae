"""The customer side: the customer app's API endpoints, baskets, checkout and returns."""
