"""The geotraf Dash app: pages per role, thin callbacks, pure figure builders."""
