"""Reports are rendered by a template engine of their own (reporting.pdf.report_templates): the
same templates and tag libraries as the site's, each library imported only when a report first
loads it, and autoescaping as everywhere else."""

import pytest
from django.template import Context, TemplateSyntaxError, engines

from reporting.pdf import report_templates


def render(source: str, **context) -> str:
    return report_templates().from_string(source).render(Context(context))


def test_a_report_loads_the_sites_tag_libraries_when_it_needs_them():
    html = render('{% load plan static %}{% rag_tag "red" %} {% static "app.css" %}')
    assert 'class="govuk-tag app-rag govuk-tag--red">Red</strong>' in html
    assert "/static/app.css" in html


def test_each_library_is_the_one_the_site_has_under_that_name():
    site = engines["django"].engine.template_libraries
    libraries = report_templates().template_libraries
    for name, library in site.items():
        assert libraries[name] is library, name


def test_a_library_nobody_has_is_refused():
    with pytest.raises(TemplateSyntaxError, match="not a registered tag library"):
        render("{% load no_such_library %}")


def test_what_users_type_is_escaped():
    assert render("{{ words }}", words="<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
