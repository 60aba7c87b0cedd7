"""Writes to the firm registry: the firm itself with its derived size class and export tier
(``registry``), the parts of its profile kept in rows of their own (``profile``), and who
works for it — registering, joining, invitations (``membership``)."""
