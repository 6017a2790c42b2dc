import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from puente.training.knowledge_seed import seed_articles


def seed(apps, schema_editor):
    seed_articles(
        apps.get_model("training", "Article"), apps.get_model("training", "ArticleVersion"),
        schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Article',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(max_length=80, unique=True, verbose_name='short name')),
                ('topic', models.CharField(choices=[('protocol', 'Call protocol'), ('caller', 'Caller type'), ('safety', 'Safety planning'), ('law_us', 'Law: United States'), ('law_mx', 'Law: Mexico'), ('reporting', 'Mandatory reporting'), ('referral', 'Referral across the border'), ('interpreters', 'Working with interpreters')], max_length=16, verbose_name='topic')),
                ('reasons', models.JSONField(blank=True, default=list, verbose_name='reasons for contact')),
                ('signaler_types', models.JSONField(blank=True, default=list, verbose_name='signaler types')),
                ('search_text', models.TextField(blank=True, default='')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['slug'],
            },
        ),
        migrations.CreateModel(
            name='ArticleVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='version')),
                ('title_en', models.CharField(max_length=200, verbose_name='title (English)')),
                ('title_es', models.CharField(max_length=200, verbose_name='title (Spanish)')),
                ('summary_en', models.CharField(blank=True, max_length=300, verbose_name='summary (English)')),
                ('summary_es', models.CharField(blank=True, max_length=300, verbose_name='summary (Spanish)')),
                ('body_en', models.TextField(verbose_name='text (English)')),
                ('body_es', models.TextField(verbose_name='text (Spanish)')),
                ('sources', models.TextField(verbose_name='sources')),
                ('change_note', models.CharField(max_length=300, verbose_name='change note')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('restored_from', models.PositiveIntegerField(blank=True, null=True)),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='training.article')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['article', '-number'],
            },
        ),
        migrations.AddField(
            model_name='article',
            name='published',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='training.articleversion', verbose_name='published version'),
        ),
        migrations.AddConstraint(
            model_name='articleversion',
            constraint=models.UniqueConstraint(fields=('article', 'number'), name='article_version_unique'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
