"""EventBridge rules and targets (schedules that start pipelines)."""

import json

from .protocol import ApiError
from .store import decode_token, encode_token


def register(fake):
    store = fake.store
    state = {'rules': {}}

    def reset():
        state['rules'] = {}
    store.resetters.append(reset)

    def op(name):
        def deco(fn):
            fake.register('events', name, fn)
            return fn
        return deco

    def bus(p):
        return p.get('EventBusName') or 'default'

    def rule_of(p, key='Name'):
        r = state['rules'].get((bus(p), p[key]))
        if r is None:
            raise ApiError('ResourceNotFoundException', 'Rule %s does not exist on EventBus %s.'
                           % (p[key], bus(p)))
        return r

    def rule_view(r):
        out = {k: v for k, v in r.items() if k != 'Targets' and v is not None}
        return out

    @op('PutRule')
    def put_rule(ctx, p):
        if not p.get('ScheduleExpression') and not p.get('EventPattern'):
            raise ApiError('ValidationException', 'Parameter(s) EventPattern or '
                           'ScheduleExpression must be specified.')
        if p.get('EventPattern'):
            try:
                json.loads(p['EventPattern'])
            except ValueError:
                raise ApiError('InvalidEventPatternException', 'Event pattern is not valid.')
        arn = 'arn:aws:events:%s:%s:rule/%s%s' % (
            ctx.region, store.account, '' if bus(p) == 'default' else bus(p) + '/', p['Name'])
        old = state['rules'].get((bus(p), p['Name']), {})
        state['rules'][(bus(p), p['Name'])] = {
            'Name': p['Name'], 'Arn': arn, 'EventPattern': p.get('EventPattern'),
            'State': p.get('State') or 'ENABLED', 'Description': p.get('Description'),
            'ScheduleExpression': p.get('ScheduleExpression'), 'RoleArn': p.get('RoleArn'),
            'EventBusName': bus(p), 'Targets': old.get('Targets', [])}
        return {'RuleArn': arn}

    @op('DescribeRule')
    def describe_rule(ctx, p):
        return rule_view(rule_of(p))

    @op('ListRules')
    def list_rules(ctx, p):
        rules = sorted((r for (b, n), r in state['rules'].items() if b == bus(p)),
                       key=lambda r: r['Name'])
        if p.get('NamePrefix'):
            rules = [r for r in rules if r['Name'].startswith(p['NamePrefix'])]
        start = decode_token(p['NextToken'], 'ListRules') if p.get('NextToken') else 0
        limit = p.get('Limit') or 100
        out = {'Rules': [rule_view(r) for r in rules[start:start + limit]]}
        if start + limit < len(rules):
            out['NextToken'] = encode_token(start + limit, 'ListRules')
        return out

    @op('DeleteRule')
    def delete_rule(ctx, p):
        r = state['rules'].get((bus(p), p['Name']))
        if r is not None:
            if r['Targets'] and not p.get('Force'):
                raise ApiError('ValidationException', 'Rule can\'t be deleted since it has targets.')
            del state['rules'][(bus(p), p['Name'])]
        return {}

    @op('EnableRule')
    def enable_rule(ctx, p):
        rule_of(p)['State'] = 'ENABLED'
        return {}

    @op('DisableRule')
    def disable_rule(ctx, p):
        rule_of(p)['State'] = 'DISABLED'
        return {}

    @op('PutTargets')
    def put_targets(ctx, p):
        r = rule_of(p, 'Rule')
        failed = []
        for t in p['Targets']:
            if ':sagemaker:' in t['Arn'] and ':pipeline/' not in t['Arn']:
                failed.append({'TargetId': t['Id'], 'ErrorCode': 'ValidationException',
                               'ErrorMessage': 'SageMaker targets must be pipeline ARNs'})
                continue
            r['Targets'] = [x for x in r['Targets'] if x['Id'] != t['Id']] + [t]
        return {'FailedEntryCount': len(failed), 'FailedEntries': failed}

    @op('ListTargetsByRule')
    def list_targets(ctx, p):
        r = rule_of(p, 'Rule')
        start = decode_token(p['NextToken'], 'Targets') if p.get('NextToken') else 0
        limit = p.get('Limit') or 100
        out = {'Targets': r['Targets'][start:start + limit]}
        if start + limit < len(r['Targets']):
            out['NextToken'] = encode_token(start + limit, 'Targets')
        return out

    @op('RemoveTargets')
    def remove_targets(ctx, p):
        r = rule_of(p, 'Rule')
        ids = set(p['Ids'])
        r['Targets'] = [t for t in r['Targets'] if t['Id'] not in ids]
        return {'FailedEntryCount': 0, 'FailedEntries': []}
