from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp

# A loose shape check only: sign-in compares against stored accounts, and demo accounts use the
# reserved .test domain that strict validators refuse.
EMAIL_SHAPE = Regexp(r"^[^@\s]+@[^@\s]+$", message="Enter an email address.")


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), EMAIL_SHAPE, Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Sign in")
