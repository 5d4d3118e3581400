"""The official AWS models (../shared/aws-models) the fake serves.

Loaded with json.load + botocore.model.ServiceModel, never from Debian
botocore's bundled (older) data.
"""

import json
import os

from botocore.model import ServiceModel


def default_models_dir():
    shared = os.environ.get('MLDECK_SHARED')
    if shared and os.path.isdir(os.path.join(shared, 'aws-models')):
        return os.path.join(shared, 'aws-models')
    here = os.path.dirname(os.path.abspath(__file__))
    # tests/servers/awsfake -> repo root -> ../shared
    for cand in (os.path.join(here, '..', '..', '..', '..', 'shared', 'aws-models'),
                 '/work/shared/aws-models'):
        if os.path.isdir(cand):
            return os.path.normpath(cand)
    raise RuntimeError('aws-models not found (set MLDECK_SHARED)')


class Service(object):
    """One served service: key (the signing name), folder, model, paginators,
    target prefix, JSON version."""

    def __init__(self, key, folder, models_dir):
        path = os.path.join(models_dir, folder)
        with open(os.path.join(path, 'service-2.json')) as f:
            raw = json.load(f)
        self.key = key
        self.folder = folder
        self.model = ServiceModel(raw, folder)
        self.target_prefix = raw['metadata'].get('targetPrefix', '')
        self.json_version = raw['metadata'].get('jsonVersion', '1.1')
        self.api_version = raw['metadata'].get('apiVersion', '')
        self.xml_namespace = raw['metadata'].get('xmlNamespace', '')
        self.operation_names = set(self.model.operation_names)
        # error code (the query protocol's name) -> error shape name
        self.error_shapes = {}
        for name, shape in raw['shapes'].items():
            if shape.get('exception'):
                code = (shape.get('error') or {}).get('code', name)
                if name == code or code not in self.error_shapes:
                    self.error_shapes[code] = name
        try:
            with open(os.path.join(path, 'paginators-1.json')) as f:
                self.paginators = json.load(f).get('pagination', {})
        except OSError:
            self.paginators = {}

    def operation(self, name):
        return self.model.operation_model(name)


# signing name -> models folder
SERVED = {
    'sagemaker': 'sagemaker',
    'monitoring': 'cloudwatch',
    'logs': 'logs',
    'events': 'events',
}


def load_services(models_dir=None):
    models_dir = models_dir or default_models_dir()
    services = {}
    for key, folder in SERVED.items():
        services[key] = Service(key, folder, models_dir)
    return services
