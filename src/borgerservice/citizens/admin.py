"""Citizens are deliberately not in the Django admin.

Every read of a citizen must pass need-to-know and write an audit entry; the admin
would bypass both. Citizen data comes from the CPR register (and the demo command),
and staff read it through the one view of the citizen.
"""
