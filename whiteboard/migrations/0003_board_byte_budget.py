from django.db import migrations, models


def measure_elements(apps, schema_editor):
    import orjson

    Board = apps.get_model("whiteboard", "Board")
    BoardElement = apps.get_model("whiteboard", "BoardElement")
    for board in Board.objects.only("pk").iterator():
        total = 0
        for element in BoardElement.objects.filter(board_id=board.pk).only("pk", "data").iterator():
            size = len(orjson.dumps(element.data))
            BoardElement.objects.filter(pk=element.pk).update(size=size)
            total += size
        Board.objects.filter(pk=board.pk).update(byte_count=total)


class Migration(migrations.Migration):
    dependencies = [
        ("whiteboard", "0002_board_element_count"),
    ]

    operations = [
        migrations.AddField(
            model_name="board",
            name="byte_count",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="boardelement",
            name="size",
            field=models.IntegerField(default=0),
        ),
        migrations.RunPython(measure_elements, migrations.RunPython.noop),
    ]
